import {
  commaList,
  eventTimeSchema,
  httpServiceSchema,
  httpUrl,
  loadConfig,
  nonNegativeInt,
  positiveInt,
  z,
} from '@stableyield/config';
import { trustProxySetting } from '@stableyield/api-core';
import { METHODOLOGY_V1 } from '@stableyield/index-engine';

export const configSchema = z.object({
  ...httpServiceSchema({ port: 8080, healthPort: 9210 }),
  /** May hold a password: set DATABASE_URL_FILE to read it from a mounted secret. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .default('postgres://stableyield@127.0.0.1:55432/stableyield'),
  PG_POOL_SIZE: positiveInt.default(10),
  /** PostgreSQL cancels an API query running longer than this (statement_timeout). */
  PG_STATEMENT_TIMEOUT_MS: positiveInt.default(10_000),
  /**
   * How old a database answer may be when served (history's open bucket, constituent history,
   * yields), and the step a default `to` is rounded to: one grid step. 0: read every request.
   */
  ANSWER_FRESHNESS_MS: nonNegativeInt.default(1_000),
  /** processor-syi's grid step (the same variable, the same default): /api/index/methodology tells it */
  GRID_INTERVAL_MS: eventTimeSchema.GRID_INTERVAL_MS,
  /** Route patterns served without credentials (`/api/index/*` for a prefix); every other /api route needs a key. */
  PUBLIC_ROUTES: commaList.default([
    '/api/index/latest',
    '/api/index/history',
    '/api/index/constituents',
    '/api/index/methodology',
    '/api/index/audit',
    '/api/index/onchain',
  ]),
  /** Requests per window per API key and per client IP (0 on both: no rate limiting). */
  RATE_LIMIT_PER_KEY: nonNegativeInt.default(6_000),
  RATE_LIMIT_PER_IP: nonNegativeInt.default(600),
  RATE_LIMIT_WINDOW_MS: positiveInt.default(60_000),
  /** Allowed CORS origins, comma separated, or `*`; unset: no CORS headers. */
  CORS_ORIGINS: commaList.optional(),
  /**
   * Behind an ingress: which X-Forwarded-For entries to believe for the client IP (per-IP rate
   * limit). `false`, a hop count (`1`: one ingress in front) or the proxies' addresses/CIDRs.
   * `true` is refused: it would let the client choose its own address.
   */
  TRUST_PROXY: trustProxySetting,
  /** Failed authentications per window per client IP; past it the key store is not asked. */
  AUTH_FAILURES_PER_IP: positiveInt.default(30),
  /** Enables HS256 JWT bearer tokens (at least 32 characters; use JWT_SECRET_FILE). */
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).optional(),
  /** Longest lifetime (exp − iat, exp − now) a JWT may claim, seconds; tokens without exp are refused. */
  JWT_MAX_LIFETIME_S: positiveInt.default(86_400),
  /** How long a checked API key is remembered (a revocation takes effect within it). */
  API_KEY_CACHE_MS: positiveInt.default(30_000),
  /** Symbols the API knows before the first record names them. */
  CONSTITUENTS: commaList.default([...METHODOLOGY_V1.constituents]),
  /**
   * The auditor's health port (its GET /status): /api/index/verify and /api/index/audit report its check; unset: not
   * available.
   */
  AUDITOR_URL: httpUrl.optional(),
  /** The ws-gateway stream the ticker page connects to; unset: the page's host, port 8090. */
  TICKER_STREAM_URL: z
    .string()
    .regex(/^wss?:\/\//, 'must be a ws:// or wss:// URL')
    .optional(),
  /** The SYI feed /api/index/onchain reads (the keeper's SYI_FEED_ADDRESS); unset: that route answers 503. */
  SYI_FEED_ADDRESS: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte address')
    .transform((a) => a as `0x${string}`)
    .optional(),
  /** The chain's JSON-RPC endpoints (comma separated; providers put API keys in them: RPC_URL_FILE). */
  RPC_URL: z.string().min(1).optional(),
  /** How long an on-chain read is served before the chain is asked again. */
  ONCHAIN_CACHE_MS: positiveInt.default(2_000),
});
export type Config = z.output<typeof configSchema>;

/** RPC_URL is needed once SYI_FEED_ADDRESS is set. */
export const checkedConfigSchema = configSchema.refine(
  (c) => c.SYI_FEED_ADDRESS === undefined || c.RPC_URL !== undefined,
  {
    message: 'SYI_FEED_ADDRESS needs RPC_URL (or RPC_URL_FILE)',
  },
);
export const loadAppConfig = (env?: Record<string, string | undefined>) => loadConfig(checkedConfigSchema, env);
