// DefiLlama: yields `/pools` → `dl.apy` (single-asset pools of configured constituents) and stablecoins
// `/stablecoins?includePrices=true` → `ex.mktcap`. Neither body carries a timestamp: `fetchedAt` is ts.
import { z } from 'zod';
import { type DlApyRecord, type ExMktcapRecord } from './records';
import { describeZodError, fail, ok, type ParseResult } from './result';
import { checkApy, checkMktcap, firstInvalid } from './validate';

// Only the fields we use are checked strictly; a real /pools body has ~20k pools and many more fields.
const pool = z.object({
  pool: z.string().min(1),
  project: z.string(),
  chain: z.string(),
  symbol: z.string(),
  tvlUsd: z.number(),
  apyBase: z.number().nullable().optional(),
  apyReward: z.number().nullable().optional(),
  apy: z.number().nullable().optional(),
  exposure: z.string().nullable().optional(),
});

export const defiLlamaPoolsSchema = z.object({ status: z.literal('success'), data: z.array(pool) });

const peggedAsset = z.object({
  id: z.string(),
  symbol: z.string(),
  circulating: z.record(z.string(), z.number()).nullable().optional(),
  price: z.number().nullable().optional(),
});

export const defiLlamaStablecoinsSchema = z.object({ peggedAssets: z.array(peggedAsset) });

export interface DefiLlamaPoolOptions {
  /** Constituent symbols; a pool is kept when its `symbol` equals one exactly and `exposure == "single"`. */
  symbols: readonly string[];
  fetchedAt: number;
}

export function mapDefiLlamaPools(payload: unknown, options: DefiLlamaPoolOptions): ParseResult<DlApyRecord[]> {
  const parsed = defiLlamaPoolsSchema.safeParse(payload);
  if (!parsed.success) return fail(describeZodError('defillama-yields', parsed.error));
  const wanted = new Set(options.symbols);
  const records: DlApyRecord[] = parsed.data.data
    .filter((p) => p.exposure === 'single' && wanted.has(p.symbol))
    .map((p) => ({
      pool: p.pool,
      project: p.project,
      chain: p.chain,
      symbol: p.symbol,
      tvlUsd: p.tvlUsd,
      apyBase: p.apyBase ?? null,
      apyReward: p.apyReward ?? null,
      apy: p.apy ?? null,
      ts: options.fetchedAt,
    }));
  const invalid = firstInvalid(records, checkApy, (r) => `defillama-yields: pool ${r.pool} (${r.symbol})`);
  return invalid === null ? ok(records) : fail(invalid);
}

export interface DefiLlamaStablecoinOptions {
  symbols: readonly string[];
  fetchedAt: number;
}

/**
 * One record per constituent found: market cap = `circulating.peggedUSD`. Symbols are not unique on
 * DefiLlama (several "USDS"), so the asset with the largest USD circulation wins.
 */
export function mapDefiLlamaStablecoins(
  payload: unknown,
  options: DefiLlamaStablecoinOptions,
): ParseResult<ExMktcapRecord[]> {
  const parsed = defiLlamaStablecoinsSchema.safeParse(payload);
  if (!parsed.success) return fail(describeZodError('defillama-stablecoins', parsed.error));
  const best = new Map<string, number>();
  for (const asset of parsed.data.peggedAssets) {
    const cap = asset.circulating?.['peggedUSD'];
    if (!options.symbols.includes(asset.symbol) || cap === undefined) continue;
    const current = best.get(asset.symbol);
    if (current === undefined || cap > current) best.set(asset.symbol, cap);
  }
  const records: ExMktcapRecord[] = options.symbols.flatMap((symbol) => {
    const cap = best.get(symbol);
    return cap === undefined ? [] : [{ symbol, marketCapUsd: cap, ts: options.fetchedAt }];
  });
  const invalid = firstInvalid(records, checkMktcap, (r) => `defillama-stablecoins: ${r.symbol}`);
  return invalid === null ? ok(records) : fail(invalid);
}
