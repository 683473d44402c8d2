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
  it('a deviation of exactly 1 bp publishes; 0.5 bp does not', () => {
    expect(decideSyi(round(300_030_000n, 1_060), chain, 1_070, defaultSyiTriggers)).toMatchObject({
      publish: true,
      reason: 'deviation',
      deviationBps: 1,
    });
    expect(decideSyi(round(299_970_000n, 1_060), chain, 1_070, defaultSyiTriggers)).toMatchObject({
      publish: true,
      reason: 'deviation',
    });
    expect(decideSyi(round(300_015_000n, 1_060), chain, 1_070, defaultSyiTriggers)).toMatchObject({
      publish: false,
      reason: 'within-band',
      deviationBps: 0.5,
    });
    expect(decideSyi(round(300_029_999n, 1_060), chain, 1_070, defaultSyiTriggers).publish).toBe(false);
  });
  it('the heartbeat publishes an unchanged value once the on-chain one is SYI_HEARTBEAT_S old', () => {
    expect(decideSyi(round(300_000_000n, 4_590), chain, 4_599, defaultSyiTriggers)).toMatchObject({
      publish: false,
      reason: 'within-band',
      onchainAgeS: 3_599,
    });
    expect(decideSyi(round(300_000_000n, 4_590), chain, 4_600, defaultSyiTriggers)).toMatchObject({
      publish: true,
      reason: 'heartbeat',
      onchainAgeS: 3_600,
    });
  });
  it('never publishes a T the chain already has or passed, whatever the deviation', () => {
    expect(decideSyi(round(400_000_000n, 1_000), chain, 9_999, defaultSyiTriggers)).toMatchObject({
      publish: false,
      reason: 'not-newer',
    });
    expect(decideSyi(round(400_000_000n, 940), chain, 9_999, defaultSyiTriggers)).toMatchObject({
      publish: false,
      reason: 'not-newer',
    });
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
    expect(decideSyi(round(330_000_000n, 1_299), chain, 1_300, t)).toMatchObject({
      publish: false,
      reason: 'min-interval',
    });
    expect(decideSyi(round(330_000_000n, 1_300), chain, 1_300, t)).toMatchObject({
      publish: true,
      reason: 'deviation',
    });
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
