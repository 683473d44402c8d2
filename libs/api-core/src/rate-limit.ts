export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (for `Retry-After` and `RateLimit-Reset`). */
  resetSeconds: number;
}

/**
 * Fixed-window request counting per key (an API key id or a client IP): at most `limit`
 * requests per `windowMs`. In memory, per instance — with N replicas a client gets up to N×.
 * Counters of a finished window are dropped wholesale, so memory follows the active keys.
 */
export class FixedWindowLimiter {
  private windowStart = 0;
  private counts = new Map<string, number>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(limit > 0) || !(windowMs > 0)) throw new Error('rate limit and window must be positive');
  }

  /** Counts one request of `key` and says whether it is within the limit. */
  take(key: string): RateDecision {
    return this.decide(key, 1);
  }

  /** Whether one more request of `key` would be within the limit, without counting it. */
  peek(key: string): RateDecision {
    return this.decide(key, 0);
  }

  private decide(key: string, cost: 0 | 1): RateDecision {
    const now = this.now();
    const start = now - (now % this.windowMs);
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.counts = new Map();
    }
    const used = (this.counts.get(key) ?? 0) + cost;
    if (cost > 0) this.counts.set(key, used);
    const resetSeconds = Math.max(1, Math.ceil((start + this.windowMs - now) / 1000));
    const counted = cost > 0 ? used : used + 1;
    return {
      allowed: counted <= this.limit,
      limit: this.limit,
      remaining: Math.max(0, this.limit - counted),
      resetSeconds,
    };
  }
}
