// CryptoCompare (CoinDesk Data) min-api `/data/pricemultifull` → `cc.prices` (venue "cryptocompare"), and
// its error envelope (`"Response":"Error"`, HTTP 200; Type 99 = rate limit).
import { z } from 'zod';
import { type UpstreamError } from './errors';
import { type CcPriceRecord } from './records';
import { describeZodError, fail, ok, type ParseResult } from './result';
import { checkCcPrice, firstInvalid } from './validate';

const SOURCE = 'cryptocompare';
export const CRYPTOCOMPARE_VENUE = 'cryptocompare';

const rawQuote = z.object({
  PRICE: z.number(),
  LASTUPDATE: z.number().int().nonnegative(),
  VOLUME24HOURTO: z.number().optional(),
});

export const cryptoComparePriceMultiFullSchema = z.object({
  RAW: z.record(z.string(), z.record(z.string(), rawQuote)),
  DISPLAY: z.record(z.string(), z.unknown()).optional(),
});

export const cryptoCompareErrorSchema = z.object({
  Response: z.literal('Error'),
  Message: z.string(),
  Type: z.number().int().optional(),
});

export interface CryptoCompareMapOptions {
  /** Quote currency read from RAW[fsym][tsym]; "USD" for the index. */
  tsym?: string;
  /** CryptoCompare symbol → constituent symbol; when given, only these fsyms give records. */
  symbols?: Readonly<Record<string, string>>;
}

export type CryptoCompareError = Extract<UpstreamError, { source: 'cryptocompare' }>;

/** Recognises the error envelope; null when the body is not one. */
export function parseCryptoCompareError(payload: unknown): CryptoCompareError | null {
  const parsed = cryptoCompareErrorSchema.safeParse(payload);
  if (!parsed.success) return null;
  const type = parsed.data.Type ?? 0;
  return {
    source: 'cryptocompare',
    kind: type === 99 ? 'rate-limit' : 'api-error',
    type,
    message: parsed.data.Message,
  };
}

export function mapCryptoComparePriceMultiFull(
  payload: unknown,
  options: CryptoCompareMapOptions = {},
): ParseResult<CcPriceRecord[]> {
  const error = parseCryptoCompareError(payload);
  if (error !== null) return fail(`${SOURCE}: error response (Type ${error.type}): ${error.message}`, error);
  const parsed = cryptoComparePriceMultiFullSchema.safeParse(payload);
  if (!parsed.success) return fail(describeZodError(SOURCE, parsed.error));
  const tsym = options.tsym ?? 'USD';
  const records: CcPriceRecord[] = [];
  for (const [fsym, quotes] of Object.entries(parsed.data.RAW)) {
    const symbol = options.symbols === undefined ? fsym : options.symbols[fsym];
    const quote = quotes[tsym];
    if (symbol === undefined || quote === undefined) continue;
    const record: CcPriceRecord = {
      symbol,
      venue: CRYPTOCOMPARE_VENUE,
      price: quote.PRICE,
      ts: quote.LASTUPDATE * 1000,
    };
    if (quote.VOLUME24HOURTO !== undefined) record.volume24hUsd = quote.VOLUME24HOURTO;
    records.push(record);
  }
  const invalid = firstInvalid(records, checkCcPrice, (r) => `${SOURCE}: RAW.${r.symbol}.${tsym}`);
  return invalid === null ? ok(records) : fail(invalid);
}
