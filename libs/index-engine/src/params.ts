// Every number of methodology v1 as data. The engine reads nothing else, so a parameter set
// is the whole definition: records computed with a set that differs from METHODOLOGY_V1
// carry a different version label and can never pass for v1.

export interface FreshnessLimitsMs {
  /** venue price, for the median price P */
  readonly price: number;
  /** venue volume24hUsd, for V */
  readonly volume: number;
  readonly orderBook: number;
  readonly poolApy: number;
  readonly marketCap: number;
  readonly tbill: number;
}

export interface MethodologyParams {
  /** Constituent symbols; the engine always works on them in UTF-16 code-unit order. */
  readonly constituents: readonly string[];
  readonly freshnessMs: FreshnessLimitsMs;
  readonly peg: {
    readonly sampleIntervalMs: number;
    readonly windowMs: number;
    readonly huberDeltaBps: number;
    readonly scoreScaleBps: number;
  };
  readonly depth: {
    /** a bid counts when price ≥ mid × bidFactor */
    readonly bidFactor: number;
    /** an ask counts when price ≤ mid × askFactor */
    readonly askFactor: number;
  };
  readonly liquidity: {
    readonly depthWeight: number;
    readonly depthScaleUsd: number;
    readonly volumeWeight: number;
    readonly volumeToMarketCap: number;
  };
  readonly counterparty: {
    readonly scores: Readonly<Record<string, number>>;
    readonly defaultScore: number;
  };
  readonly apy: {
    readonly minTvlUsd: number;
    readonly clampMin: number;
    readonly clampMax: number;
    readonly outlierMinPools: number;
    readonly madScale: number;
    readonly madMultiplier: number;
  };
  readonly mode: {
    readonly highVolDevBps: number;
    readonly kappaNormal: number;
    readonly kappaHighVol: number;
  };
  readonly weights: {
    readonly sigmaScaleBps: number;
    readonly singleCap: number;
    readonly singleCapMinEligible: number;
    readonly top3Cap: number;
    readonly top3CapMinEligible: number;
    readonly epsilon: number;
    readonly maxPasses: number;
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

export const METHODOLOGY_V1: MethodologyParams = deepFreeze({
  constituents: ['DAI', 'FDUSD', 'PYUSD', 'USDC', 'USDT', 'USDe'],
  freshnessMs: {
    price: 120_000,
    volume: 600_000,
    orderBook: 300_000,
    poolApy: 21_600_000,
    marketCap: 86_400_000,
    tbill: 604_800_000,
  },
  peg: { sampleIntervalMs: 60_000, windowMs: 86_400_000, huberDeltaBps: 10, scoreScaleBps: 25 },
  depth: { bidFactor: 0.995, askFactor: 1.005 },
  liquidity: { depthWeight: 0.7, depthScaleUsd: 10_000_000, volumeWeight: 0.3, volumeToMarketCap: 0.05 },
  counterparty: {
    scores: { USDC: 0.95, USDT: 0.85, DAI: 0.9, PYUSD: 0.9, FDUSD: 0.8, USDe: 0.7 },
    defaultScore: 0.75,
  },
  apy: { minTvlUsd: 10_000_000, clampMin: 0, clampMax: 100, outlierMinPools: 3, madScale: 1.4826, madMultiplier: 5 },
  mode: { highVolDevBps: 100, kappaNormal: 2, kappaHighVol: 4 },
  weights: {
    sigmaScaleBps: 10,
    singleCap: 0.45,
    singleCapMinEligible: 3,
    top3Cap: 0.8,
    top3CapMinEligible: 4,
    epsilon: 1e-12,
    maxPasses: 100,
  },
});

/** Plain `<` on strings compares UTF-16 code units, which is the order the methodology prescribes. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON with object keys sorted and the constituent list in symbol order: equal definitions give equal text. */
export function canonicalParams(params: MethodologyParams): string {
  const normalised = { ...params, constituents: [...params.constituents].sort(compareCodeUnits) };
  return canonicalJson(normalised);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => compareCodeUnits(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** FNV-1a, 32 bits: a short, dependency-free fingerprint for version labels (not a security hash). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

const V1_CANONICAL = canonicalParams(METHODOLOGY_V1);

/**
 * The label written to `methodologyVersion`: "1" only for a parameter set equal to v1,
 * otherwise "1-custom+<fingerprint>" so a changed set can never pass for the published index.
 */
export function methodologyVersionOf(params: MethodologyParams): string {
  const canonical = canonicalParams(params);
  return canonical === V1_CANONICAL ? '1' : `1-custom+${fnv1a(canonical)}`;
}

/** Rejects parameter sets the engine cannot work with (the numbers themselves are the user's choice). */
export function assertUsableParams(params: MethodologyParams): void {
  if (params.constituents.length === 0) throw new Error('methodology parameters: constituents must not be empty');
  const seen = new Set<string>();
  for (const symbol of params.constituents) {
    if (typeof symbol !== 'string' || symbol === '')
      throw new Error('methodology parameters: constituent symbols must be non-empty strings');
    if (seen.has(symbol)) throw new Error(`methodology parameters: constituent ${symbol} is listed twice`);
    seen.add(symbol);
  }
  const { sampleIntervalMs, windowMs } = params.peg;
  if (!Number.isInteger(sampleIntervalMs) || sampleIntervalMs <= 0) {
    throw new Error('methodology parameters: peg.sampleIntervalMs must be a positive integer');
  }
  if (!Number.isInteger(windowMs) || windowMs <= 0 || windowMs % sampleIntervalMs !== 0) {
    throw new Error('methodology parameters: peg.windowMs must be a positive multiple of peg.sampleIntervalMs');
  }
}
