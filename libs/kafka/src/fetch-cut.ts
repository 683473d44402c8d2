// When a reader's fetch responses have been handled, per broker: what an event-time processor needs
// to know that its inputs are read to their end up to a moment (libs/stream's watermark clock).
//
// kafkajs fetches from each broker on its own: it emits FETCH_START, gets the response (FETCH),
// hands every batch of it to the reader, and only then starts that broker's next fetch. So a
// broker's next FETCH_START says its last response has been handled.

/** A broker not asked for anything this long leads none of the partitions read any more. */
const STALE_BROKER_MS = 5_000;

export class FetchCut {
  private readonly startedAt = new Map<number, number>();
  private readonly respondedAt = new Map<number, number>();
  private readonly handledAt = new Map<number, number>();
  /** brokers whose last response is being handled */
  private readonly handling = new Set<number>();

  /** True while some broker's response is being handled (read positions are not a consistent cut). */
  get handlingResponse(): boolean {
    return this.handling.size > 0;
  }

  /** A broker's response arrived at `now`; its batches are handled next. */
  responded(broker: number, now: number): void {
    this.handling.add(broker);
    this.respondedAt.set(broker, now);
  }

  /**
   * A broker's next fetch starts at `now`. When that ends the handling of its last response,
   * returns the moment up to which every broker's answer has been handled: the earliest of their
   * last handled responses (a broker not asked for 5 s no longer counts: it is down and its
   * partitions moved, or they were moved away, and its last answer would hold the time back for
   * good). Otherwise undefined.
   */
  started(broker: number, now: number): number | undefined {
    this.startedAt.set(broker, now);
    if (!this.handling.delete(broker)) return undefined;
    this.handledAt.set(broker, this.respondedAt.get(broker)!);
    let through = Infinity;
    for (const [node, at] of this.handledAt) {
      if (now - (this.startedAt.get(node) ?? 0) > STALE_BROKER_MS) continue;
      if (at < through) through = at;
    }
    return through;
  }
}
