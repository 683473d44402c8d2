import { createHash } from 'node:crypto';

/** A response body encoded once, with its strong validator. */
export interface EncodedBody {
  readonly body: Buffer;
  readonly etag: string;
}

/** A strong ETag of a body: the start of its SHA-1 (a validator, not a security measure). */
export const etagOfBody = (body: Buffer): string => `"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`;

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
 * Requests that arrive while an answer is being made wait for it instead of reading again.
 */
export class FreshAnswers {
  private readonly cache: BodyCache<number>;
  private readonly pending = new Map<string, Promise<EncodedBody>>();

  constructor(private readonly options: { maxAgeMs: number; maxBytes: number; now: () => number }) {
    this.cache = new BodyCache(options.maxBytes);
  }

  answer(key: string, make: () => Promise<string>): Promise<EncodedBody> {
    const now = this.options.now();
    const cached = this.cache.get(key, (expiresAt) => now < expiresAt);
    if (cached) return Promise.resolve(cached);
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;
    const started = now;
    const made = make().then((json) => {
      const expiresAt = started + this.options.maxAgeMs;
      this.cache.dropOldestWhile((e) => e <= this.options.now());
      return this.cache.set(key, expiresAt, encodeBody(json));
    }).finally(() => this.pending.delete(key));
    this.pending.set(key, made);
    return made;
  }
}
