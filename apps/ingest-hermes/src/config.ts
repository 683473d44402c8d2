// ingest-hermes configuration (docs/ingestion.md lists every variable).
import { httpUrl, kafkaServiceSchema, loadConfig, positiveInt, z } from '@stableyield/config';

/** The six constituents' USD feeds plus ETH and BTC: Pyth mainnet ids (the simulator uses the same). */
export const DEFAULT_FEEDS = [
  'DAI:0xb0948a5e5313200c632b51bb5ca32f6de0d36e9950a942d19751e833f70dabfd',
  'FDUSD:0xccdc1a08923e2e4f4b1e6ea89de6acbc5fe1948e9706f5604b8cb50bc1ed3979',
  'PYUSD:0xc1da1b73d7f01e7ddd54b3766cf7fcd644395ad14f70aa706ec5384c59e76692',
  'USDC:0xeaa020c61cc479712813461ce153894a96a6c00b21ed0cfc2798d1f9a9e9c94a',
  'USDT:0x2b89b9dc8fdf9f34709a5b106b472f0f39bb6ca9ce04b0fd7f2e971688e2e53b',
  'USDe:0x6ec879b1e9963de5ee97e9c8710b742d6228252a5e2ca12d4ae81d7fe5ee8c5d',
  'ETH:0xff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace',
  'BTC:0xe62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43',
].join(',');

export interface Feed {
  symbol: string;
  /** Lower-case hex without 0x, as Hermes answers. */
  id: string;
}

const FEED = /^([A-Za-z0-9._-]+):(0x)?([0-9a-fA-F]{64})$/;

/** `SYMBOL:0xid,SYMBOL:0xid` → feeds; symbols and ids must be unique. */
const feedList = z.string().transform((text, ctx) => {
  const feeds: Feed[] = [];
  for (const item of text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const match = FEED.exec(item);
    if (match === null) {
      ctx.addIssue({ code: 'custom', message: `"${item}" is not SYMBOL:0x<64 hex digits>` });
      return z.NEVER;
    }
    feeds.push({ symbol: match[1]!, id: match[3]!.toLowerCase() });
  }
  if (feeds.length === 0) ctx.addIssue({ code: 'custom', message: 'must list at least one feed' });
  const duplicate = (values: string[]) => values.find((v, i) => values.indexOf(v) !== i);
  const symbol = duplicate(feeds.map((f) => f.symbol));
  const id = duplicate(feeds.map((f) => f.id));
  if (symbol !== undefined) ctx.addIssue({ code: 'custom', message: `symbol ${symbol} is listed twice` });
  if (id !== undefined) ctx.addIssue({ code: 'custom', message: `feed id ${id} is listed twice` });
  return feeds;
});

export const configSchema = z
  .object({
    ...kafkaServiceSchema(9201),
    HERMES_URL: httpUrl.default('http://127.0.0.1:7100/hermes'),
    /** Hermes polled while the stream keeps failing (another provider, or the same one). */
    HERMES_FALLBACK_URL: httpUrl.optional(),
    /** Sent as `Authorization: Bearer`; required by the public Hermes since 2026-08-18. */
    HERMES_API_KEY: z.string().min(1).optional(),
    HERMES_FEEDS: feedList.default(feedList.parse(DEFAULT_FEEDS)),
    /** Reconnect when no event arrived for this long. */
    HERMES_WATCHDOG_MS: positiveInt.default(10_000),
    HERMES_BACKOFF_INITIAL_MS: positiveInt.default(500),
    HERMES_BACKOFF_MAX_MS: positiveInt.default(30_000),
    /** Consecutive failed stream connections before polling `/latest`. */
    HERMES_FAILOVER_AFTER_FAILURES: positiveInt.default(3),
    HERMES_POLL_INTERVAL_MS: positiveInt.default(1_000),
    HERMES_HTTP_TIMEOUT_MS: positiveInt.default(5_000),
    /** `publish-time`: one record per (feed, publishTime); `slot`: per (feed, publishTime, slot), for the benchmark. */
    HERMES_DEDUPE_KEY: z.enum(['publish-time', 'slot']).default('publish-time'),
  })
  .refine((c) => c.HERMES_BACKOFF_MAX_MS >= c.HERMES_BACKOFF_INITIAL_MS, {
    path: ['HERMES_BACKOFF_MAX_MS'],
    message: 'must be at least HERMES_BACKOFF_INITIAL_MS',
  })
  // Readiness counts a poll as delivery for one watchdog period.
  .refine((c) => c.HERMES_POLL_INTERVAL_MS < c.HERMES_WATCHDOG_MS, {
    path: ['HERMES_POLL_INTERVAL_MS'],
    message: 'must be shorter than HERMES_WATCHDOG_MS',
  });

export type Config = z.output<typeof configSchema>;
export const loadAppConfig = (env?: Record<string, string | undefined>) => loadConfig(configSchema, env);
