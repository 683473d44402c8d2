import { trustProxySetting } from '@stableyield/api-core';
import { booleanFlag, commaList, httpServiceSchema, loadConfig, positiveInt, z } from '@stableyield/config';

export const configSchema = z.object({
  ...httpServiceSchema({ port: 8090, healthPort: 9211 }),
  /**
   * Worker processes sharing PORT (node:cluster). Fan-out is one socket write per client, mostly
   * kernel time: one process uses one core. > 1: the primary supervises them and owns HEALTH_PORT.
   */
  WORKERS: positiveInt.default(1),
  /**
   * Connections one instance holds (over all its workers); past it a new one is refused with 503 (scale out
   * instead).
   */
  MAX_CONNECTIONS: positiveInt.default(20_000),
  /** A client with more than this queued (bytes) is closed with code 4008: it never slows the others. */
  MAX_BUFFERED_BYTES: positiveInt.default(1_048_576),
  /**
   * Bytes all clients of the instance together may have queued (split over WORKERS); each client
   * gets an equal share, at most MAX_BUFFERED_BYTES. Keep it well under the memory limit.
   */
  MAX_TOTAL_BUFFERED_BYTES: positiveInt.default(128 * 1_048_576),
  /** Connections (open or being set up) one client address may hold, per worker. */
  MAX_CONNECTIONS_PER_IP: positiveInt.default(50),
  /** Browser origins allowed to connect (comma list); unset: any. Clients without Origin always pass. */
  ALLOWED_ORIGINS: commaList.optional(),
  /** Which X-Forwarded-For entries name the client (as the api's TRUST_PROXY): false, a hop count or CIDRs. */
  TRUST_PROXY: trustProxySetting,
  /** Failed authentications per minute per client address; past it credentials are not checked. */
  AUTH_FAILURES_PER_IP: positiveInt.default(30),
  /** Ping interval; a client that misses one ping is cut. */
  HEARTBEAT_INTERVAL_MS: positiveInt.default(30_000),
  /** Require an API key (x-api-key, Authorization: Bearer, or ?api_key= for browsers) to connect. */
  WS_AUTH_REQUIRED: booleanFlag.default(false),
  /** The key store, used only when WS_AUTH_REQUIRED (DATABASE_URL_FILE for a mounted secret). */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .default('postgres://stableyield@127.0.0.1:55432/stableyield'),
  API_KEY_CACHE_MS: positiveInt.default(30_000),
  /** Enables HS256 JWT bearer tokens, checked as by the api (issuer, audience, lifetime cap). */
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).optional(),
  /** Longest lifetime (exp − iat, exp − now) a JWT may claim, seconds. */
  JWT_MAX_LIFETIME_S: positiveInt.default(86_400),
});
export type Config = z.output<typeof configSchema>;
export const loadAppConfig = (env?: Record<string, string | undefined>) => loadConfig(configSchema, env);
