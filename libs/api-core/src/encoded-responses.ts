import { createHash } from 'node:crypto';

/** A response body encoded once, with its strong validator. */
export interface EncodedBody {
  readonly body: Buffer;
  readonly etag: string;
}

/** A strong ETag of a body: the start of its SHA-1 (a validator, not a security measure). */
export const etagOfBody = (body: Buffer): string =>
  `"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`;

export const encodeBody = (json: string): EncodedBody => {
  const body = Buffer.from(json);
  return { body, etag: etagOfBody(body) };
};

/** Whether an `If-None-Match` header names `etag` (a list, weak forms, or `*`): then the answer is 304. */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch === etag) return true;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || (t.startsWith('W/') ? t.slice(2) : t) === etag;
  });
}

interface Entry<S> {
  encoded: EncodedBody;
  stamp: S;
}

/**
 * Encoded bodies by key, each with a stamp saying which data it was made from; a lookup gives
 * the body only while the caller's test accepts its stamp. Bounded by bytes: the oldest entries go first.
 */
export class BodyCache<S> {
  private readonly entries = new Map<string, Entry<S>>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string, isCurrent: (stamp: S) => boolean): EncodedBody | undefined {
    const entry = this.entries.get(key);
    return entry && isCurrent(entry.stamp) ? entry.encoded : undefined;
  }

  entry(key: string): { encoded: EncodedBody; stamp: S } | undefined {
    return this.entries.get(key);
  }

  set(key: string, stamp: S, encoded: EncodedBody): EncodedBody {
    this.delete(key);
    if (encoded.body.length > this.maxBytes) return encoded;
    this.entries.set(key, { encoded, stamp });
    this.bytes += encoded.body.length;
    for (const oldest of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.delete(oldest);
    }
    return encoded;
  }

  /** Drops the entries the test rejects, oldest first, up to the first it keeps. */
  dropOldestWhile(isStale: (stamp: S) => boolean): void {
    for (const [key, entry] of this.entries) {
      if (!isStale(entry.stamp)) break;
      this.delete(key);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.bytes -= entry.encoded.body.length;
    this.entries.delete(key);
  }
}

/**
 * Answers read from the database and encoded once, then served to every request with the same
 * key for `maxAgeMs` (counted from when the reading started, so no answer is older than that).
 * Requests that arrive while an answer is being made wait for it instead of reading again. Once
 * an answer is half its age, the next request starts reading its successor in the background and
 * is served the current one: while the database answers within half the age, no request waits.
 */
export class FreshAnswers {
  /** Stamp: when the reading of the answer started. */
  private readonly cache: BodyCache<number>;
  private readonly pending = new Map<string, Promise<EncodedBody>>();

  constructor(private readonly options: { maxAgeMs: number; maxBytes: number; now: () => number }) {
    this.cache = new BodyCache(options.maxBytes);
  }

  answer(key: string, make: () => Promise<string>): Promise<EncodedBody> {
    const now = this.options.now();
    const { maxAgeMs } = this.options;
    const cached = this.cache.entry(key);
    if (cached && now - cached.stamp < maxAgeMs) {
      if (now - cached.stamp >= maxAgeMs / 2 && !this.pending.has(key))
        this.make(key, make, now).catch(() => undefined);
      return Promise.resolve(cached.encoded);
    }
    return this.pending.get(key) ?? this.make(key, make, now);
  }

  /**
   * Starts reading an answer that will be asked for soon (the next step of a range ending now),
   * unless it is held or being read: its first request then does not wait for the database.
   */
  prefetch(key: string, make: () => Promise<string>): void {
    const now = this.options.now();
    const cached = this.cache.entry(key);
    if ((cached && now - cached.stamp < this.options.maxAgeMs) || this.pending.has(key)) return;
    this.make(key, make, now).catch(() => undefined);
  }

  private make(key: string, make: () => Promise<string>, started: number): Promise<EncodedBody> {
    const made = make()
      .then((json) => {
        this.cache.dropOldestWhile((readAt) => readAt + this.options.maxAgeMs <= this.options.now());
        return this.cache.set(key, started, encodeBody(json));
      })
      .finally(() => this.pending.delete(key));
    this.pending.set(key, made);
    return made;
  }
}
