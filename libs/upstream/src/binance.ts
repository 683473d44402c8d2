// Binance spot `/api/v3/ticker/24hr` → `cc.prices` and `/api/v3/depth` → `cc.orderbook` (venue "binance"),
// and the error body `{code, msg}`.
//
// Quote currency: pairs are quoted in USDT (or another stablecoin), and we report that quote as USD
// (USDT ≈ USD), explicitly per pair in config. A pair can be inverted to price its quote asset, e.g.
// USDT from USDCUSDT: price = 1 / lastPrice (in USDC ≈ USD); an inverted book swaps sides
// (a bid for USDC at p USDT is an ask for USDT at 1/p USDC, of size p × qty).
import { z } from 'zod';
import { type UpstreamError } from './errors';
import { type BookLevel, type CcOrderbookRecord, type CcPriceRecord } from './records';
import { describeZodError, fail, ok, type ParseResult } from './result';
import { checkCcPrice, checkOrderbook, firstInvalid } from './validate';

const SOURCE = 'binance';
export const BINANCE_VENUE = 'binance';

export interface BinancePair {
  /** Binance symbol, e.g. "USDCUSDT". */
  pair: string;
  /** Constituent the record is for, e.g. "USDC". */
  symbol: string;
  /** true: the record prices the pair's quote asset (1 / price). */
  invert?: boolean;
}

const decimalString = z.string().regex(/^-?\d+(\.\d+)?$/, 'expected a decimal string');

const ticker = z.object({
  symbol: z.string(),
  lastPrice: decimalString,
  quoteVolume: decimalString,
  volume: decimalString,
  closeTime: z.number().int().nonnegative(),
});

export const binanceTicker24hrSchema = z.union([ticker, z.array(ticker)]);

const level = z.tuple([decimalString, decimalString]);

export const binanceDepthSchema = z.object({
  lastUpdateId: z.number().int(),
  bids: z.array(level),
  asks: z.array(level),
});

export const binanceErrorSchema = z.object({ code: z.number().int(), msg: z.string() });

export type BinanceError = Extract<UpstreamError, { source: 'binance' }>;

/** Recognises the error body; -1003 (TOO_MANY_REQUESTS) is a rate limit. */
export function parseBinanceError(payload: unknown): BinanceError | null {
  const parsed = binanceErrorSchema.safeParse(payload);
  if (!parsed.success) return null;
  return {
    source: 'binance',
    kind: parsed.data.code === -1003 ? 'rate-limit' : 'api-error',
    code: parsed.data.code,
    message: parsed.data.msg,
  };
}

function errorResult<T>(payload: unknown): ParseResult<T> | null {
  const error = parseBinanceError(payload);
  return error === null ? null : fail(`${SOURCE}: error ${error.code}: ${error.message}`, error);
}

export function mapBinanceTicker24hr(payload: unknown, pairs: readonly BinancePair[]): ParseResult<CcPriceRecord[]> {
  const error = errorResult<CcPriceRecord[]>(payload);
  if (error !== null) return error;
  // One symbol gives an object, several an array; parse each form on its own for precise reasons.
  const parsed = Array.isArray(payload)
    ? z.array(ticker).safeParse(payload)
    : ticker.transform((t) => [t]).safeParse(payload);
  if (!parsed.success) return fail(describeZodError(SOURCE, parsed.error));
  const tickers = parsed.data;
  const records: CcPriceRecord[] = [];
  for (const t of tickers) {
    for (const p of pairs.filter((candidate) => candidate.pair === t.symbol)) {
      const last = Number(t.lastPrice);
      // The pair's 24 h turnover in its quote stablecoin (≈ USD); an inverted pair reports the same trades.
      records.push({
        symbol: p.symbol,
        venue: BINANCE_VENUE,
        price: p.invert === true ? 1 / last : last,
        volume24hUsd: Number(t.quoteVolume),
        ts: t.closeTime,
      });
    }
  }
  const invalid = firstInvalid(records, checkCcPrice, (r) => `${SOURCE}: ticker for ${r.symbol}`);
  return invalid === null ? ok(records) : fail(invalid);
}

function invertLevels(levels: readonly BookLevel[]): BookLevel[] {
  return levels.map(([price, qty]) => [1 / price, price * qty]);
}

/** Depth has no timestamp: `fetchedAt` (ms) is the record's ts. */
export function mapBinanceDepth(
  payload: unknown,
  pair: BinancePair,
  fetchedAt: number,
): ParseResult<CcOrderbookRecord> {
  const error = errorResult<CcOrderbookRecord>(payload);
  if (error !== null) return error;
  const parsed = binanceDepthSchema.safeParse(payload);
  if (!parsed.success) return fail(describeZodError(SOURCE, parsed.error));
  const toLevels = (rows: readonly (readonly [string, string])[]): BookLevel[] =>
    rows.map(([price, qty]) => [Number(price), Number(qty)]);
  const bids = toLevels(parsed.data.bids);
  const asks = toLevels(parsed.data.asks);
  const record: CcOrderbookRecord =
    pair.invert === true
      ? { symbol: pair.symbol, venue: BINANCE_VENUE, bids: invertLevels(asks), asks: invertLevels(bids), ts: fetchedAt }
      : { symbol: pair.symbol, venue: BINANCE_VENUE, bids, asks, ts: fetchedAt };
  const problem = checkOrderbook(record);
  return problem === null ? ok(record) : fail(`${SOURCE}: depth for ${pair.pair}: ${problem}`);
}
