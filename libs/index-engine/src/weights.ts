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
  const n = w.length;
  let excess = 0;
  let anyCapped = false;
  for (let i = 0; i < n; i++) {
    const value = w[i] as number;
    if (value > cap + params.epsilon) {
      excess += value - cap;
      w[i] = cap;
      anyCapped = true;
    }
  }
  if (!anyCapped) return;
  // Every addition is proportional to the weights as they stand right after capping.
  let freeSum = 0;
  for (let i = 0; i < n; i++) {
    const value = w[i] as number;
    if (value < cap - params.epsilon) freeSum += value;
  }
  if (freeSum <= 0) return;
  // Members of F are not capped and each addition reads only the member's own weight, so
  // updating them one by one uses every member's weight right after capping.
  for (let i = 0; i < n; i++) {
    const value = w[i] as number;
    if (value < cap - params.epsilon) w[i] = value + (excess * value) / freeSum;
  }
}

/** Whether i ranks before j among the largest weights: larger weight, or equal weight and smaller symbol. */
function ranksBefore(w: readonly number[], inputs: readonly WeightInput[], i: number, j: number): boolean {
  const wi = w[i] as number;
  const wj = w[j] as number;
  if (wi !== wj) return wi > wj;
  return (inputs[i] as WeightInput).symbol < (inputs[j] as WeightInput).symbol;
}

/** Indices of the three largest weights; ties go to the symbol that sorts first. */
export function topThree(w: readonly number[], inputs: readonly WeightInput[]): number[] {
  const top: number[] = [];
  for (let i = 0; i < w.length; i++) {
    let at = top.length;
    while (at > 0 && ranksBefore(w, inputs, i, top[at - 1] as number)) at--;
    if (at < 3) {
      top.splice(at, 0, i);
      if (top.length > 3) top.pop();
    }
  }
  return top;
}

function applyTop3Cap(w: number[], inputs: readonly WeightInput[], params: MethodologyParams['weights']): void {
  const n = w.length;
  // The three largest weights (a ranks before b before c), found without allocating.
  let a = -1;
  let b = -1;
  let c = -1;
  for (let i = 0; i < n; i++) {
    if (a === -1 || ranksBefore(w, inputs, i, a)) {
      c = b;
      b = a;
      a = i;
    } else if (b === -1 || ranksBefore(w, inputs, i, b)) {
      c = b;
      b = i;
    } else if (c === -1 || ranksBefore(w, inputs, i, c)) {
      c = i;
    }
  }
  // s3 and ΣR in index order, both from the weights before this step.
  let s3 = 0;
  let restSum = 0;
  for (let i = 0; i < n; i++) {
    if (i === a || i === b || i === c) s3 += w[i] as number;
    else restSum += w[i] as number;
  }
  if (!(s3 > params.top3Cap + params.epsilon)) return;
  const surplus = s3 - params.top3Cap;
  const scale = params.top3Cap / s3;
  // Each update reads only the weight it replaces, so updating in place uses the weights before the step.
  for (let i = 0; i < n; i++) {
    const value = w[i] as number;
    if (i === a || i === b || i === c) w[i] = value * scale;
    else if (restSum > 0) w[i] = value + (surplus * value) / restSum;
  }
}

/** SYI = Σ w × RAY in symbol order (arrays aligned with the eligible constituents). */
export function indexValue(weights: readonly number[], rays: readonly number[]): number {
  let value = 0;
  for (let i = 0; i < weights.length; i++) value += (weights[i] as number) * (rays[i] as number);
  return value;
}
