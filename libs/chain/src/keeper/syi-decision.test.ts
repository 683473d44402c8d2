import fc from 'fast-check';
import { type OnchainSyi, type SyiRound } from '../syi-feed';
import { decideSyi, defaultSyiTriggers, deviationBpsOf } from './syi-decision';

const zero = `0x${'0'.repeat(64)}` as const;
const round = (answer: bigint, updatedAt: number): SyiRound => ({
  answer,
  rpl: 0n,
  updatedAt: BigInt(updatedAt),
  inputsDigest: zero,
  digest: zero,
});
const onchain = (answer: bigint, updatedAt: number): OnchainSyi => ({
  roundId: 1n,
  answer,
  rpl: 0n,
  updatedAt: BigInt(updatedAt),
  inputsDigest: zero,
  digest: zero,
});

describe('decideSyi at the default triggers (1 bp, 3600 s)', () => {
  const chain = onchain(300_000_000n, 1_000); // 3 %
  /** The decision for a record of `answer` at T = `t` against `chain`, at chain time `now`. */
  const decide = (answer: bigint, t: number, now: number, triggers = defaultSyiTriggers) =>
    decideSyi(round(answer, t), chain, now, triggers);
  it('a deviation of exactly 1 bp publishes; 0.5 bp does not', () => {
    expect(decide(300_030_000n, 1_060, 1_070)).toMatchObject({ publish: true, reason: 'deviation', deviationBps: 1 });
    expect(decide(299_970_000n, 1_060, 1_070)).toMatchObject({ publish: true, reason: 'deviation' });
    expect(decide(300_015_000n, 1_060, 1_070)).toMatchObject({
      publish: false,
      reason: 'within-band',
      deviationBps: 0.5,
    });
    expect(decide(300_029_999n, 1_060, 1_070).publish).toBe(false);
  });
  it('the heartbeat publishes an unchanged value once the on-chain one is SYI_HEARTBEAT_S old', () => {
    expect(decide(300_000_000n, 4_590, 4_599)).toMatchObject({
      publish: false,
      reason: 'within-band',
      onchainAgeS: 3_599,
    });
    expect(decide(300_000_000n, 4_590, 4_600)).toMatchObject({
      publish: true,
      reason: 'heartbeat',
      onchainAgeS: 3_600,
    });
  });
  it('never publishes a T the chain already has or passed, whatever the deviation', () => {
    expect(decide(400_000_000n, 1_000, 9_999)).toMatchObject({ publish: false, reason: 'not-newer' });
    expect(decide(400_000_000n, 940, 9_999)).toMatchObject({ publish: false, reason: 'not-newer' });
  });
  it('publishes the first record onto an empty feed; holds without a record', () => {
    expect(decideSyi(round(1n, 5), undefined, 10, defaultSyiTriggers)).toEqual({ publish: true, reason: 'first' });
    expect(decideSyi(undefined, chain, 1_010, defaultSyiTriggers)).toEqual({
      publish: false,
      reason: 'no-record',
      onchainAgeS: 10,
    });
  });
  it('SYI_MIN_INTERVAL_S holds a deviation until T has moved on far enough', () => {
    const t = { ...defaultSyiTriggers, minIntervalS: 300 };
    expect(decide(330_000_000n, 1_299, 1_300, t)).toMatchObject({ publish: false, reason: 'min-interval' });
    expect(decide(330_000_000n, 1_300, 1_300, t)).toMatchObject({ publish: true, reason: 'deviation' });
  });
  it('property: publishes iff T is newer and (deviation ≥ threshold or heartbeat), and never an older T', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 10n), max: 10n ** 10n }),
        fc.bigInt({ min: -(10n ** 10n), max: 10n ** 10n }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        (a, b, dt, age) => {
          const d = decideSyi(round(a, 1_000 + dt - 5_000), onchain(b, 1_000), 1_000 + age, defaultSyiTriggers);
          const newer = dt - 5_000 > 0;
          if (!newer) return !d.publish;
          const dev = b === 0n ? (a === b ? 0 : Infinity) : (Math.abs(Number(a - b)) / Math.abs(Number(b))) * 10_000;
          const expected = dev >= 1 - 1e-9 || age >= 3_600;
          // Exact integers decide at the edge; the float check allows a hair of slack.
          return Math.abs(dev - 1) < 1e-6 ? true : d.publish === expected;
        },
      ),
    );
  });
});

describe('deviationBpsOf', () => {
  it('is relative to the on-chain value, in basis points', () => {
    expect(deviationBpsOf(303_000_000n, 300_000_000n)).toBe(100);
    expect(deviationBpsOf(-303_000_000n, -300_000_000n)).toBe(100);
    expect(deviationBpsOf(1n, 0n)).toBe(Infinity);
    expect(deviationBpsOf(0n, 0n)).toBe(0);
  });
});
