// Index weights (§3): market cap discounted by peg volatility, normalised, then the
// single-constituent cap (0.45) and the top-3 cap (0.80) applied in passes until stable.

import type { MethodologyParams } from './params';

export interface WeightInput {
  readonly symbol: string;
  readonly marketCapUsd: number;
  readonly sigmaBps: number;
}

/**
 * Weights of the eligible constituents. `inputs` must be in symbol order (every sum runs in
 * that order); the result is aligned with it.
 */
export function capWeights(inputs: readonly WeightInput[], params: MethodologyParams['weights']): number[] {
  const n = inputs.length;
  const w: number[] = new Array<number>(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const c = inputs[i] as WeightInput;
    const r = c.marketCapUsd / (1 + (c.sigmaBps / params.sigmaScaleBps) ** 2);
    w[i] = r;
    total += r;
  }
  for (let i = 0; i < n; i++) w[i] = (w[i] as number) / total;
  const before: number[] = new Array<number>(n);
  for (let pass = 0; pass < params.maxPasses; pass++) {
    for (let i = 0; i < n; i++) before[i] = w[i] as number;
    if (n >= params.singleCapMinEligible) applySingleCap(w, params);
    if (n >= params.top3CapMinEligible) applyTop3Cap(w, inputs, params);
    let changed = false;
    for (let i = 0; i < n && !changed; i++) changed = w[i] !== before[i];
    if (!changed) break;
  }
  return w;
}

function applySingleCap(w: number[], params: MethodologyParams['weights']): void {
  const cap = params.singleCap;
  const capped: number[] = [];
  let excess = 0;
  for (let i = 0; i < w.length; i++) {
    const value = w[i] as number;
    if (value > cap + params.epsilon) {
      excess += value - cap;
      capped.push(i);
    }
  }
  if (capped.length === 0) return;
  for (const i of capped) w[i] = cap;
  // Every addition is proportional to the weights as they stand right after capping.
  const free: number[] = [];
  let freeSum = 0;
  for (let i = 0; i < w.length; i++) {
    const value = w[i] as number;
    if (value < cap - params.epsilon) {
      free.push(i);
      freeSum += value;
    }
  }
  if (freeSum <= 0) return;
  // All shares come from the weights right after capping; `free` members are not capped, so
  // updating them one by one reads each one's own pre-addition weight.
  for (const i of free) w[i] = (w[i] as number) + (excess * (w[i] as number)) / freeSum;
}

/** Indices of the three largest weights; ties go to the symbol that sorts first. */
export function topThree(w: readonly number[], inputs: readonly WeightInput[]): number[] {
  const order = w.map((_, i) => i);
  order.sort((a, b) => {
    const diff = (w[b] as number) - (w[a] as number);
    if (diff !== 0) return diff;
    const sa = (inputs[a] as WeightInput).symbol;
    const sb = (inputs[b] as WeightInput).symbol;
    return sa < sb ? -1 : sa > sb ? 1 : 0;
  });
  return order.slice(0, 3);
}

function applyTop3Cap(w: number[], inputs: readonly WeightInput[], params: MethodologyParams['weights']): void {
  const top = new Set(topThree(w, inputs));
  let s3 = 0;
  let restSum = 0;
  for (let i = 0; i < w.length; i++) {
    if (top.has(i)) s3 += w[i] as number;
    else restSum += w[i] as number;
  }
  if (!(s3 > params.top3Cap + params.epsilon)) return;
  const surplus = s3 - params.top3Cap;
  const scale = params.top3Cap / s3;
  const before = w.slice();
  for (let i = 0; i < w.length; i++) {
    const value = before[i] as number;
    if (top.has(i)) w[i] = value * scale;
    else if (restSum > 0) w[i] = value + (surplus * value) / restSum;
  }
}

/** SYI = Σ w × RAY in symbol order (arrays aligned with the eligible constituents). */
export function indexValue(weights: readonly number[], rays: readonly number[]): number {
  let value = 0;
  for (let i = 0; i < weights.length; i++) value += (weights[i] as number) * (rays[i] as number);
  return value;
}
