// A compact, column-wise store of validated events for the replay, which must hold its whole
// input to sort it by event time: about 40 bytes an event (plus order-book levels) instead of
// a few hundred for parsed JSON objects, so a multi-million-line file fits in little memory.

import { INPUT_TOPICS, type BookLevel, type IndexEvent, type InputTopic } from './events';

/** An event's topic is stored as its index here. */
const TOPIC_CODES: readonly InputTopic[] = INPUT_TOPICS;
const CODE_OF = new Map<InputTopic, number>(TOPIC_CODES.map((t, i) => [t, i]));

function grow<T extends Float64Array | Int32Array | Uint8Array>(array: T, size: number, make: (n: number) => T): T {
  if (size <= array.length) return array;
  const next = make(Math.max(size, array.length * 2));
  next.set(array);
  return next;
}

export class EventLog {
  private count = 0;
  private topics = new Uint8Array(1024);
  private times = new Float64Array(1024);
  private num1 = new Float64Array(1024);
  private num2 = new Float64Array(1024);
  /** interned strings: symbol, then venue or pool */
  private str1 = new Int32Array(1024);
  private str2 = new Int32Array(1024);
  /** order books: offset of the levels in `levels` (bid and ask counts in num1, num2) */
  private levelStart = new Int32Array(1024);
  private levels = new Float64Array(4096);
  private levelCount = 0;
  private readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();
  private minTs = Infinity;
  private maxTs = -Infinity;
  private sorted = true;

  get size(): number {
    return this.count;
  }

  /** Smallest and largest event time held (undefined when empty). */
  get timeRange(): { min: number; max: number } | undefined {
    return this.count === 0 ? undefined : { min: this.minTs, max: this.maxTs };
  }

  private intern(s: string): number {
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.stringIds.set(s, id);
    }
    return id;
  }

  private string(id: number): string {
    return this.strings[id] as string;
  }

  private growColumns(need: number): void {
    this.topics = grow(this.topics, need, (n) => new Uint8Array(n));
    this.times = grow(this.times, need, (n) => new Float64Array(n));
    this.num1 = grow(this.num1, need, (n) => new Float64Array(n));
    this.num2 = grow(this.num2, need, (n) => new Float64Array(n));
    this.str1 = grow(this.str1, need, (n) => new Int32Array(n));
    this.str2 = grow(this.str2, need, (n) => new Int32Array(n));
    this.levelStart = grow(this.levelStart, need, (n) => new Int32Array(n));
  }

  push(event: IndexEvent): void {
    const i = this.count;
    const need = i + 1;
    if (need > this.times.length) this.growColumns(need);
    this.topics[i] = CODE_OF.get(event.topic) as number;
    this.times[i] = event.ts;
    switch (event.topic) {
      case 'cc.prices':
        this.str1[i] = this.intern(event.symbol);
        this.str2[i] = this.intern(event.venue);
        this.num1[i] = event.price;
        this.num2[i] = event.volume24hUsd ?? NaN;
        break;
      case 'pyth.prices':
        this.str1[i] = this.intern(event.symbol);
        this.num1[i] = event.price;
        break;
      case 'cc.orderbook': {
        this.str1[i] = this.intern(event.symbol);
        this.str2[i] = this.intern(event.venue);
        this.num1[i] = event.bids.length;
        this.num2[i] = event.asks.length;
        this.levelStart[i] = this.levelCount;
        const levelsNeeded = this.levelCount + 2 * (event.bids.length + event.asks.length);
        if (levelsNeeded > this.levels.length)
          this.levels = grow(this.levels, levelsNeeded, (n) => new Float64Array(n));
        this.pushLevels(event.bids);
        this.pushLevels(event.asks);
        break;
      }
      case 'dl.apy':
        this.str1[i] = this.intern(event.symbol);
        this.str2[i] = this.intern(event.pool);
        this.num1[i] = event.tvlUsd;
        this.num2[i] = event.apyBase ?? NaN;
        break;
      case 'ex.mktcap':
        this.str1[i] = this.intern(event.symbol);
        this.num1[i] = event.marketCapUsd;
        break;
      case 'trad.tbill':
        this.num1[i] = event.rate;
        break;
    }
    if (event.ts < this.maxTs) this.sorted = false;
    if (event.ts < this.minTs) this.minTs = event.ts;
    if (event.ts > this.maxTs) this.maxTs = event.ts;
    this.count = need;
  }

  private pushLevels(side: readonly BookLevel[]): void {
    const levels = this.levels;
    let at = this.levelCount;
    for (let k = 0; k < side.length; k++) {
      const level = side[k] as BookLevel;
      levels[at++] = level[0];
      levels[at++] = level[1];
    }
    this.levelCount = at;
  }

  ts(i: number): number {
    return this.times[i] as number;
  }

  private bookLevels(start: number, count: number): BookLevel[] {
    const out: BookLevel[] = new Array<BookLevel>(count);
    for (let k = 0; k < count; k++)
      out[k] = [this.levels[start + 2 * k] as number, this.levels[start + 2 * k + 1] as number];
    return out;
  }

  /** The i-th event as pushed (in arrival order). */
  get(i: number): IndexEvent {
    const topic = TOPIC_CODES[this.topics[i] as number] as InputTopic;
    const ts = this.times[i] as number;
    const n1 = this.num1[i] as number;
    const n2 = this.num2[i] as number;
    switch (topic) {
      case 'cc.prices':
        return {
          topic,
          ts,
          symbol: this.string(this.str1[i] as number),
          venue: this.string(this.str2[i] as number),
          price: n1,
          volume24hUsd: n2 === n2 ? n2 : undefined,
        };
      case 'pyth.prices':
        return { topic, ts, symbol: this.string(this.str1[i] as number), price: n1 };
      case 'cc.orderbook': {
        const start = this.levelStart[i] as number;
        return {
          topic,
          ts,
          symbol: this.string(this.str1[i] as number),
          venue: this.string(this.str2[i] as number),
          bids: this.bookLevels(start, n1),
          asks: this.bookLevels(start + 2 * n1, n2),
        };
      }
      case 'dl.apy':
        return {
          topic,
          ts,
          symbol: this.string(this.str1[i] as number),
          pool: this.string(this.str2[i] as number),
          tvlUsd: n1,
          apyBase: n2 === n2 ? n2 : null,
        };
      case 'ex.mktcap':
        return { topic, ts, symbol: this.string(this.str1[i] as number), marketCapUsd: n1 };
      case 'trad.tbill':
        return { topic, ts, rate: n1 };
    }
  }

  /** Indices in event-time order, equal times in arrival order (a stable sort by ts). */
  timeOrder(): Uint32Array {
    const order = new Uint32Array(this.count);
    for (let i = 0; i < this.count; i++) order[i] = i;
    if (this.sorted) return order;
    const times = this.times;
    return order.sort((a, b) => (times[a] as number) - (times[b] as number) || a - b);
  }
}
