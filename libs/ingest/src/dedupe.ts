// (feed, publishTime) de-duplication across stream reconnects and polling: per feed the last published
// publishTime; anything not newer is a repeat (a reconnect replays the current slot, a poll returns what
// the stream already gave).
import { type HermesRecords } from '@stableyield/upstream';

export type DedupeKey = 'publish-time' | 'slot';

export class PublishTimeDeduper {
  private readonly last = new Map<string, { publishTime: number; slot: number }>();

  /**
   * `publish-time` (the default): one record per (feed, publishTime), what an on-chain update needs.
   * `slot`: one per (feed, publishTime, slot), for a source that emits several slots per second (the
   * simulator at high tick rates, the benchmark); a slot is compared only within the same second.
   */
  constructor(private readonly key: DedupeKey = 'publish-time') {}

  /** True (and remembered) when the update is newer than the last one accepted for the feed. */
  accept(feedId: string, publishTime: number, slot: number | null = null): boolean {
    const previous = this.last.get(feedId);
    const s = this.key === 'slot' ? (slot ?? -1) : -1;
    if (
      previous !== undefined &&
      (publishTime < previous.publishTime || (publishTime === previous.publishTime && s <= previous.slot))
    )
      return false;
    this.last.set(feedId, { publishTime, slot: s });
    return true;
  }

  lastPublishTime(feedId: string): number | undefined {
    return this.last.get(feedId)?.publishTime;
  }
}

/**
 * Keeps the feeds of an event not seen before; null when none is new (the event is not published).
 * The binary payloads stay whole: they are what the keeper submits, and a stale feed in them is harmless.
 */
export function freshRecords(records: HermesRecords, deduper: PublishTimeDeduper): HermesRecords | null {
  const fresh = new Set<string>();
  for (const feed of records.update.feeds) {
    if (deduper.accept(feed.feedId, feed.publishTime, feed.slot)) fresh.add(feed.feedId);
  }
  if (fresh.size === 0) return null;
  if (fresh.size === records.update.feeds.length) return records;
  return {
    update: { ...records.update, feeds: records.update.feeds.filter((f) => fresh.has(f.feedId)) },
    prices: records.prices.filter((p) => fresh.has(p.feedId)),
  };
}
