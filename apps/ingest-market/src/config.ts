// ingest-market configuration (docs/ingestion.md lists every variable).
import {
  commaList,
  httpUrl,
  kafkaServiceSchema,
  loadConfig,
  nonNegativeInt,
  positiveInt,
  z,
} from '@stableyield/config';
import { type BinancePair } from '@stableyield/upstream';

export const SOURCES = ['cryptocompare', 'binance', 'defillama-yields', 'defillama-stablecoins', 'fred'] as const;
export type SourceName = (typeof SOURCES)[number];

const SIM = 'http://127.0.0.1:7100';

/** `TICKER[:SYMBOL]` items → ticker → symbol (CryptoCompare spells USDe "USDE"). */
const tickerMap = commaList.transform((items, ctx) => {
  const map: Record<string, string> = {};
  for (const item of items) {
    const match = /^([A-Za-z0-9]+)(?::([A-Za-z0-9]+))?$/.exec(item);
    if (match === null) {
      ctx.addIssue({ code: 'custom', message: `"${item}" is not TICKER or TICKER:SYMBOL` });
      return z.NEVER;
    }
    map[match[1]!] = match[2] ?? match[1]!;
  }
  return map;
});

/** `PAIR:SYMBOL[:invert]` items, e.g. `USDCUSDT:USDT:invert` prices USDT from USDC/USDT. */
const binancePairs = commaList.transform((items, ctx) => {
  const pairs: BinancePair[] = [];
  for (const item of items) {
    const match = /^([A-Z0-9]+):([A-Za-z0-9]+)(:invert)?$/.exec(item);
    if (match === null) {
      ctx.addIssue({ code: 'custom', message: `"${item}" is not PAIR:SYMBOL or PAIR:SYMBOL:invert` });
      return z.NEVER;
    }
    pairs.push(
      match[3] === undefined
        ? { pair: match[1]!, symbol: match[2]! }
        : { pair: match[1]!, symbol: match[2]!, invert: true },
    );
  }
  return pairs;
});

const sourceList = commaList.pipe(z.array(z.enum(SOURCES, { message: `must be among ${SOURCES.join(', ')}` })));

export const configSchema = z
  .object({
    ...kafkaServiceSchema(9202),
    /** Sources to poll (all by default). */
    INGEST_SOURCES: sourceList.default([...SOURCES]),
    /** The index constituents, spelled as DefiLlama does. */
    CONSTITUENTS: commaList.default(['DAI', 'FDUSD', 'PYUSD', 'USDC', 'USDT', 'USDe']),

    CRYPTOCOMPARE_URL: httpUrl.default(`${SIM}/cryptocompare`),
    CRYPTOCOMPARE_API_KEY: z.string().min(1).optional(),
    /** Default: the six constituents, USDe under CryptoCompare's ticker USDE. */
    CRYPTOCOMPARE_SYMBOLS: tickerMap.default(tickerMap.parse('DAI,FDUSD,PYUSD,USDC,USDT,USDE:USDe')),
    CRYPTOCOMPARE_INTERVAL_MS: positiveInt.default(60_000),
    CRYPTOCOMPARE_TIMEOUT_MS: positiveInt.default(10_000),

    BINANCE_URL: httpUrl.default(`${SIM}/binance`),
    BINANCE_API_KEY: z.string().min(1).optional(),
    BINANCE_PAIRS: binancePairs.default([
      { pair: 'USDCUSDT', symbol: 'USDC' },
      { pair: 'FDUSDUSDT', symbol: 'FDUSD' },
      { pair: 'DAIUSDT', symbol: 'DAI' },
      { pair: 'PYUSDUSDT', symbol: 'PYUSD' },
      { pair: 'USDEUSDT', symbol: 'USDe' },
      { pair: 'USDCUSDT', symbol: 'USDT', invert: true },
    ]),
    BINANCE_DEPTH_LIMIT: positiveInt.max(5000).default(100),
    BINANCE_WEIGHT_LIMIT_PER_MINUTE: positiveInt.default(6000),
    BINANCE_INTERVAL_MS: positiveInt.default(15_000),
    BINANCE_TIMEOUT_MS: positiveInt.default(5_000),

    DEFILLAMA_YIELDS_URL: httpUrl.default(`${SIM}/defillama/yields`),
    DEFILLAMA_YIELDS_INTERVAL_MS: positiveInt.default(600_000),
    DEFILLAMA_YIELDS_TIMEOUT_MS: positiveInt.default(60_000),
    DEFILLAMA_STABLECOINS_URL: httpUrl.default(`${SIM}/defillama/stablecoins`),
    DEFILLAMA_STABLECOINS_INTERVAL_MS: positiveInt.default(600_000),
    DEFILLAMA_STABLECOINS_TIMEOUT_MS: positiveInt.default(30_000),

    FRED_URL: httpUrl.default(`${SIM}/fred`),
    /** Required by FRED (a 32-character key); the simulator accepts any value. */
    FRED_API_KEY: z.string().min(1).optional(),
    FRED_SERIES: z
      .string()
      .regex(/^[A-Z0-9]+$/, 'must be a FRED series id')
      .default('DGS3MO'),
    FRED_INTERVAL_MS: positiveInt.default(3_600_000),
    FRED_TIMEOUT_MS: positiveInt.default(10_000),

    HTTP_RETRIES: nonNegativeInt.default(3),
    HTTP_BACKOFF_INITIAL_MS: positiveInt.default(500),
    HTTP_BACKOFF_MAX_MS: positiveInt.default(10_000),
    /** A longer Retry-After ends the call rate-limited and the source waits it out before its next run. */
    HTTP_MAX_RETRY_AFTER_MS: positiveInt.default(30_000),
    /** Pause after a rate limit reported in a body (CryptoCompare Type 99, Binance -1003). */
    RATE_LIMIT_PAUSE_MS: positiveInt.default(60_000),
  })
  .superRefine((c, ctx) => {
    if (c.INGEST_SOURCES.includes('fred') && c.FRED_API_KEY === undefined) {
      ctx.addIssue({ code: 'custom', path: ['FRED_API_KEY'], message: 'is required while fred is in INGEST_SOURCES' });
    }
    if (c.HTTP_BACKOFF_MAX_MS < c.HTTP_BACKOFF_INITIAL_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['HTTP_BACKOFF_MAX_MS'],
        message: 'must be at least HTTP_BACKOFF_INITIAL_MS',
      });
    }
  });

export type Config = z.output<typeof configSchema>;
export const loadAppConfig = (env?: Record<string, string | undefined>) => loadConfig(configSchema, env);
