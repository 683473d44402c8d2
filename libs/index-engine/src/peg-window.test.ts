import fc from 'fast-check';
import { pegStats } from './measures';
import { METHODOLOGY_V1 as V1 } from './params';
import { PegWindow } from './peg-window';

const STEP = 60_000;
const SLOTS = 1440;

/** Σh and σ of the samples a plain list would give (the definition), for comparison. */
function direct(samples: number[]) {
  return samples.length === 0 ? undefined : pegStats(samples, V1.peg);
}

function fromMoments(m: { count: number; m2: number; sumHuber: number }) {
  return m.count === 0
    ? undefined
    : { meanHuber: m.sumHuber / m.count, sigmaBps: Math.sqrt(Math.max(0, m.m2) / m.count) };
}

describe('PegWindow', () => {
  it('gives the moments of exactly the stored samples of a window, wherever the window lies', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 29_000_000, max: 29_100_000 }), // first boundary index (any block alignment)
        fc.array(fc.option(fc.double({ min: -500, max: 500, noNaN: true }), { nil: null }), {
          minLength: 1,
          maxLength: 3 * SLOTS,
        }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 6 }),
        (start, values, windows) => {
          const ring = new PegWindow(STEP, SLOTS, V1.peg.huberDeltaBps);
          // Store boundary by boundary and query windows inside the last SLOTS boundaries as we go.
          values.forEach((v, i) => ring.set((start + i) * STEP, v === null ? NaN : v));
          const last = start + values.length - 1;
          const held = Math.min(SLOTS, values.length);
          for (const [a, b] of windows) {
            const from = last - (a % held);
            const to = from + (b % (last - from + 1));
            const expected = direct(values.slice(from - start, to - start + 1).filter((v): v is number => v !== null));
            const actual = fromMoments(ring.storedMoments(from * STEP, to * STEP));
            if (expected === undefined) expect(actual).toBeUndefined();
            else {
              expect(actual!.meanHuber).toBeCloseTo(expected.meanHuber, 9);
              expect(actual!.sigmaBps).toBeCloseTo(expected.sigmaBps, 9);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
  it('forgets cached moments when a sample of the window is rewritten', () => {
    const ring = new PegWindow(STEP, SLOTS, 10);
    for (let k = 0; k < 180; k++) ring.set(k * STEP, 0);
    expect(ring.storedMoments(0, 179 * STEP).sumHuber).toBe(0);
    ring.set(30 * STEP, 10); // inside a complete block
    expect(ring.storedMoments(0, 179 * STEP)).toMatchObject({ count: 180, sumHuber: 5 });
    ring.set(30 * STEP, NaN);
    expect(ring.storedMoments(0, 179 * STEP)).toMatchObject({ count: 179, sumHuber: 0 });
  });
  it('restores a checkpoint and computes the same moments as the original', () => {
    const ring = new PegWindow(STEP, SLOTS, 10);
    for (let k = 0; k < 2000; k++) ring.set(k * STEP, k % 7 === 0 ? NaN : Math.sin(k) * 20);
    const copy = new PegWindow(STEP, SLOTS, 10);
    copy.restore(JSON.parse(JSON.stringify(ring.toJSON())) as (number | null)[]);
    expect(copy.storedMoments(700 * STEP, 1999 * STEP)).toEqual(ring.storedMoments(700 * STEP, 1999 * STEP));
  });
});
