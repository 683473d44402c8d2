// Holds events until event time has passed them, then releases them in (ts, tie) order: a
// binary min-heap keyed by event time. Ties are broken by the caller's `tieBreak` when given
// (processor-syi: input partition, then offset — an order that does not depend on which
// partition a fetch delivered first, so restarts and recomputations apply equal-ts events in
// the same order), else by arrival. Either way records of one key keep their Kafka offset
// order (the methodology's "later wins" on equal ts).

interface Entry<T> {
  ts: number;
  seq: number;
  item: T;
}

export class ReorderBuffer<T> {
  private readonly heap: Entry<T>[] = [];
  private seq = 0;
  private readonly less: (a: Entry<T>, b: Entry<T>) => boolean;

  constructor(tieBreak?: (a: T, b: T) => number) {
    this.less =
      tieBreak === undefined
        ? (a, b) => a.ts < b.ts || (a.ts === b.ts && a.seq < b.seq)
        : (a, b) => a.ts < b.ts || (a.ts === b.ts && (tieBreak(a.item, b.item) || a.seq - b.seq) < 0);
  }

  get size(): number {
    return this.heap.length;
  }

  /** Smallest event time held (undefined when empty). */
  get minTs(): number | undefined {
    return this.heap[0]?.ts;
  }

  push(ts: number, item: T): void {
    const heap = this.heap;
    heap.push({ ts, seq: this.seq++, item });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(heap[i] as Entry<T>, heap[parent] as Entry<T>)) break;
      swap(heap, i, parent);
      i = parent;
    }
  }

  /** Removes and returns every item with ts ≤ upTo, in (ts, arrival) order. */
  popThrough(upTo: number): T[] {
    const out: T[] = [];
    while (this.heap.length > 0 && (this.heap[0] as Entry<T>).ts <= upTo) out.push(this.pop());
    return out;
  }

  /** Everything held, in release order (for a checkpoint); the buffer is unchanged. */
  toArray(): T[] {
    return [...this.heap].sort((a, b) => (this.less(a, b) ? -1 : this.less(b, a) ? 1 : 0)).map((e) => e.item);
  }

  private pop(): T {
    const heap = this.heap;
    const top = heap[0] as Entry<T>;
    const last = heap.pop() as Entry<T>;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && this.less(heap[l] as Entry<T>, heap[m] as Entry<T>)) m = l;
        if (r < heap.length && this.less(heap[r] as Entry<T>, heap[m] as Entry<T>)) m = r;
        if (m === i) break;
        swap(heap, i, m);
        i = m;
      }
    }
    return top.item;
  }
}

function swap<T>(heap: T[], i: number, j: number): void {
  const t = heap[i] as T;
  heap[i] = heap[j] as T;
  heap[j] = t;
}
