import { TokenBucket } from './rate-limit';

describe('TokenBucket', () => {
  it('allows the burst, then the rate', () => {
    let t = 0;
    const bucket = new TokenBucket(2, 3, () => t);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    t += 500; // one token at 2/s
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    t += 10_000; // refills to the burst, not beyond
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  });
});
