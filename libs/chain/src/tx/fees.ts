// Fee policy: fresh fees from the chain scaled by multipliers, two caps (an absolute one,
// MAX_GAS_PRICE_GWEI, and a multiple of the fresh market fee, so escalation cannot compound far
// above what the chain asks), and same-nonce replacement bumps that nodes accept (geth and anvil
// require BOTH maxFeePerGas and maxPriorityFeePerGas to rise by at least 10 %). Integer math only.
// Legacy chains (no base fee) use one gas price, carried in both fields.
import { parseGwei } from 'viem';

export interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

export type GasMode = 'eip1559' | 'legacy';

export interface FeePolicy {
  /** eip1559: base fee × multiplier + tip; legacy: eth_gasPrice × baseFeeMultiplier as one gas price. */
  gasMode: GasMode;
  /** A replacement never bids more than this multiple of the fresh market fee (the pusher's cap: 5). */
  marketFeeCapMultiple: number;
  /** maxFeePerGas = baseFee × baseFeeMultiplier + tip; the base fee can rise 12.5 % per full block. */
  baseFeeMultiplier: number;
  priorityFeeMultiplier: number;
  /** Hard cap on maxFeePerGas (and so on the tip), in wei. */
  maxFeePerGasCap: bigint;
  /** Replacement bump; at least 1.1 (nodes reject less). */
  replacementMultiplier: number;
}

export function feePolicy(params: {
  baseFeeMultiplier?: number;
  priorityFeeMultiplier?: number;
  maxGasPriceGwei: number;
  replacementMultiplier?: number;
  gasMode?: GasMode;
  marketFeeCapMultiple?: number;
}): FeePolicy {
  const replacementMultiplier = params.replacementMultiplier ?? 1.125;
  if (replacementMultiplier < 1.1)
    throw new Error('replacementMultiplier must be at least 1.1 (nodes reject smaller bumps)');
  const marketFeeCapMultiple = params.marketFeeCapMultiple ?? 5;
  if (marketFeeCapMultiple < 1.1)
    throw new Error('marketFeeCapMultiple must be at least 1.1 (no replacement would fit under it)');
  return {
    gasMode: params.gasMode ?? 'eip1559',
    marketFeeCapMultiple,
    baseFeeMultiplier: params.baseFeeMultiplier ?? 1.2,
    priorityFeeMultiplier: params.priorityFeeMultiplier ?? 1,
    maxFeePerGasCap: parseGwei(String(params.maxGasPriceGwei)),
    replacementMultiplier,
  };
}

/** x × m for a decimal multiplier, rounded up so a ×1.1 bump is never a hair short. */
export function scaleUp(x: bigint, m: number): bigint {
  const bps = BigInt(Math.round(m * 10_000));
  return (x * bps + 9_999n) / 10_000n;
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

export interface ChainFeeSample {
  baseFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

export interface PricedFees extends Fees {
  /** True when the cap lowered the fees: the transaction may wait until the base fee drops. */
  capped: boolean;
}

/** Fees for a first attempt. */
export function initialFees(sample: ChainFeeSample, policy: FeePolicy): PricedFees {
  const tip = scaleUp(sample.maxPriorityFeePerGas, policy.priorityFeeMultiplier);
  const wanted = scaleUp(sample.baseFeePerGas, policy.baseFeeMultiplier) + tip;
  const maxFeePerGas = min(wanted, policy.maxFeePerGasCap);
  return { maxFeePerGas, maxPriorityFeePerGas: min(tip, maxFeePerGas), capped: wanted > policy.maxFeePerGasCap };
}

/** Fees for a first attempt on a chain without a base fee: one gas price in both fields. */
export function legacyFees(gasPrice: bigint, policy: FeePolicy): PricedFees {
  const wanted = scaleUp(gasPrice, policy.baseFeeMultiplier);
  const price = min(wanted, policy.maxFeePerGasCap);
  return { maxFeePerGas: price, maxPriorityFeePerGas: price, capped: wanted > policy.maxFeePerGasCap };
}

/** The highest bid a replacement may make now: the absolute cap or k × the fresh market fee. */
export function replacementCap(fresh: Fees, policy: FeePolicy): bigint {
  return min(policy.maxFeePerGasCap, scaleUp(fresh.maxFeePerGas, policy.marketFeeCapMultiple));
}

/**
 * Fees to replace a stuck transaction at the same nonce: the previous fees bumped, or the fresh ones
 * if higher, both capped (see replacementCap). Undefined when the cap leaves no room for a bump
 * nodes would accept: then the transaction waits for the market instead of outbidding itself.
 */
export function replacementFees(previous: Fees, fresh: Fees, policy: FeePolicy): PricedFees | undefined {
  const wantedMax = max(scaleUp(previous.maxFeePerGas, policy.replacementMultiplier), fresh.maxFeePerGas);
  const wantedTip = max(
    scaleUp(previous.maxPriorityFeePerGas, policy.replacementMultiplier),
    fresh.maxPriorityFeePerGas,
  );
  const cap = replacementCap(fresh, policy);
  const maxFeePerGas = min(wantedMax, cap);
  const maxPriorityFeePerGas = min(wantedTip, maxFeePerGas);
  const accepted =
    maxFeePerGas >= scaleUp(previous.maxFeePerGas, 1.1) &&
    maxPriorityFeePerGas >= scaleUp(previous.maxPriorityFeePerGas, 1.1);
  if (!accepted) return undefined;
  return { maxFeePerGas, maxPriorityFeePerGas, capped: wantedMax > cap };
}
