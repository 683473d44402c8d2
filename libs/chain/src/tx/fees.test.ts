import fc from 'fast-check';
import { parseGwei } from 'viem';
import { feePolicy, initialFees, legacyFees, replacementCap, replacementFees, scaleUp } from './fees';

const policy = feePolicy({ maxGasPriceGwei: 100 });

describe('fee policy', () => {
  it('scales the base fee and the tip by their multipliers', () => {
    expect(initialFees({ baseFeePerGas: parseGwei('10'), maxPriorityFeePerGas: parseGwei('1') }, policy)).toEqual({
      maxFeePerGas: parseGwei('13'), // 10 × 1.2 + 1
      maxPriorityFeePerGas: parseGwei('1'),
      capped: false,
    });
  });

  it('never exceeds MAX_GAS_PRICE_GWEI, and says so', () => {
    const fees = initialFees({ baseFeePerGas: parseGwei('200'), maxPriorityFeePerGas: parseGwei('150') }, policy);
    expect(fees).toEqual({ maxFeePerGas: parseGwei('100'), maxPriorityFeePerGas: parseGwei('100'), capped: true });
  });

  it('bumps a replacement by at least 10 % on both fees (what nodes require), or takes fresh fees if higher', () => {
    const prev = { maxFeePerGas: parseGwei('20'), maxPriorityFeePerGas: parseGwei('2') };
    expect(
      replacementFees(prev, { maxFeePerGas: parseGwei('10'), maxPriorityFeePerGas: parseGwei('1') }, policy),
    ).toEqual({
      maxFeePerGas: parseGwei('22.5'),
      maxPriorityFeePerGas: parseGwei('2.25'),
      capped: false,
    });
    expect(
      replacementFees(prev, { maxFeePerGas: parseGwei('40'), maxPriorityFeePerGas: parseGwei('3') }, policy),
    ).toMatchObject({
      maxFeePerGas: parseGwei('40'),
      maxPriorityFeePerGas: parseGwei('3'),
    });
  });

  it('refuses a replacement the cap would keep below +10 %', () => {
    const fresh = { maxFeePerGas: parseGwei('20'), maxPriorityFeePerGas: 1n };
    expect(
      replacementFees({ maxFeePerGas: parseGwei('95'), maxPriorityFeePerGas: parseGwei('1') }, fresh, policy),
    ).toBeUndefined();
    expect(
      replacementFees({ maxFeePerGas: parseGwei('80'), maxPriorityFeePerGas: parseGwei('1') }, fresh, policy),
    ).toEqual({
      maxFeePerGas: parseGwei('90'),
      maxPriorityFeePerGas: parseGwei('1.125'),
      capped: false,
    });
  });

  it('never bids more than 5 × the fresh market fee, however often it was bumped', () => {
    const fresh = { maxFeePerGas: parseGwei('2'), maxPriorityFeePerGas: parseGwei('1') };
    expect(replacementCap(fresh, policy)).toBe(parseGwei('10'));
    // 8 gwei bumped would be 9: allowed; 9.5 bumped would be 10.6875: over 5 × 2, refused.
    expect(
      replacementFees({ maxFeePerGas: parseGwei('8'), maxPriorityFeePerGas: parseGwei('1') }, fresh, policy)
        ?.maxFeePerGas,
    ).toBe(parseGwei('9'));
    expect(
      replacementFees({ maxFeePerGas: parseGwei('9.5'), maxPriorityFeePerGas: parseGwei('1') }, fresh, policy),
    ).toBeUndefined();
    expect(() => feePolicy({ maxGasPriceGwei: 1, marketFeeCapMultiple: 1 })).toThrow(/at least 1.1/);
  });

  it('legacy mode: one gas price (eth_gasPrice × multiplier, capped) in both fields', () => {
    const legacy = feePolicy({ maxGasPriceGwei: 100, gasMode: 'legacy' });
    expect(legacyFees(parseGwei('10'), legacy)).toEqual({
      maxFeePerGas: parseGwei('12'),
      maxPriorityFeePerGas: parseGwei('12'),
      capped: false,
    });
    expect(legacyFees(parseGwei('90'), legacy)).toEqual({
      maxFeePerGas: parseGwei('100'),
      maxPriorityFeePerGas: parseGwei('100'),
      capped: true,
    });
  });

  it('rejects a replacement multiplier below 1.1', () => {
    expect(() => feePolicy({ maxGasPriceGwei: 1, replacementMultiplier: 1.05 })).toThrow(/at least 1.1/);
  });

  it('properties: fees stay under the cap, tip ≤ maxFee, an accepted bump is ≥ +10 % on both', () => {
    const wei = fc.bigInt({ min: 0n, max: parseGwei('500') });
    fc.assert(
      fc.property(wei, wei, wei, wei, (pMax, pTip, fMax, fTip) => {
        const prev = { maxFeePerGas: pMax, maxPriorityFeePerGas: pTip < pMax ? pTip : pMax };
        const first = initialFees({ baseFeePerGas: fMax, maxPriorityFeePerGas: fTip }, policy);
        if (first.maxFeePerGas > policy.maxFeePerGasCap || first.maxPriorityFeePerGas > first.maxFeePerGas)
          return false;
        const next = replacementFees(prev, { maxFeePerGas: fMax, maxPriorityFeePerGas: fTip }, policy);
        if (!next) return true;
        return (
          next.maxFeePerGas <= policy.maxFeePerGasCap &&
          next.maxFeePerGas <= fMax * 5n + 1n &&
          next.maxPriorityFeePerGas <= next.maxFeePerGas &&
          next.maxFeePerGas >= scaleUp(prev.maxFeePerGas, 1.1) &&
          next.maxPriorityFeePerGas >= scaleUp(prev.maxPriorityFeePerGas, 1.1)
        );
      }),
    );
  });
});
