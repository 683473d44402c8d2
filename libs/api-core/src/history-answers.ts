import { BodyCache, encodeBody, type EncodedBody } from './encoded-responses';
import type { IndexHistoryCache } from './history-cache';
import type { Interval, OhlcPoint } from './queries';
import type { TimeRange } from './time-range';

/** The body of `GET /api/index/history`. */
export interface HistoryPayload {
  interval: Interval;
  from: number;
  to: number;
  complete: boolean;
  points: OhlcPoint[];
}

export interface HistoryAnswer extends EncodedBody {
  /** Every bucket of the range is closed: the answer never changes (long caching is safe). */
  final: boolean;
}

interface Stamp {
  generation: number;
  version: number;
  final: boolean;
}

/**
 * History answers encoded once per distinct range: the body of a closed range is kept as long as
 * the cache holds its buckets, that of a range holding the open bucket until the open bucket is
 * read again and differs.
 */
export class HistoryAnswers {
  private readonly bodies: BodyCache<Stamp>;

  constructor(
    private readonly cache: IndexHistoryCache,
    maxBytes: number,
  ) {
    this.bodies = new BodyCache(maxBytes);
  }

  /** `encode` is the route's own serializer, so the bytes are those the route gave before caching. */
  async answer(
    interval: Interval,
    range: TimeRange,
    encode: (payload: HistoryPayload) => string,
  ): Promise<HistoryAnswer> {
    const read = await this.cache.read(interval, range.from, range.to);
    const key = `${interval} ${range.from} ${range.to} ${range.clipped ? 'clipped' : 'whole'}`;
    const current = (s: Stamp) => s.generation === read.generation && (s.final || s.version === read.version);
    const encoded =
      this.bodies.get(key, current) ??
      this.bodies.set(
        key,
        { generation: read.generation, version: read.version, final: read.final },
        encodeBody(encode({ interval, from: range.from, to: range.to, complete: !range.clipped, points: read.points })),
      );
    return { ...encoded, final: read.final };
  }
}
