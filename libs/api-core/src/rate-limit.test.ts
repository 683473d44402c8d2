import { FixedWindowLimiter } from './rate-limit';

describe('FixedWindowLimiter', () => {
  it('allows `limit` requests per window per key, then refuses with the seconds to wait', () => {
    let now = 10_000;
    const limiter = new FixedWindowLimiter(2, 60_000, () => now);
    expect(limiter.take('a')).toMatchObject({ allowed: true, remaining: 1 });
    expect(limiter.take('a')).toMatchObject({ allowed: true, remaining: 0 });
    expect(limiter.take('a')).toMatchObject({ allowed: false, remaining: 0, resetSeconds: 50 });
    expect(limiter.take('b').allowed).toBe(true);
    now = 60_000;
    expect(limiter.take('a')).toMatchObject({ allowed: true, remaining: 1, resetSeconds: 60 });
  });

  it('never asks to wait less than a second', () => {
    const limiter = new FixedWindowLimiter(1, 1000, () => 999);
    limiter.take('a');
    expect(limiter.take('a').resetSeconds).toBe(1);
  });

  it('rejects a non-positive limit', () => {
    expect(() => new FixedWindowLimiter(0, 1000)).toThrow('positive');
  });
});
