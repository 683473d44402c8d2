import type { ClickHouseSettings } from '@stableyield/clickhouse';
import {
  booleanFlag,
  httpUrl,
  kafkaServiceSchema,
  loadConfig,
  nonNegativeInt,
  positiveInt,
  sinkConsumerSchema,
  z,
} from '@stableyield/config';

export const configSchema = z.object({
  ...kafkaServiceSchema(9209),
  CLICKHOUSE_URL: httpUrl.default('http://127.0.0.1:8123'),
  CLICKHOUSE_USER: z.string().min(1).optional(),
  /** Set CLICKHOUSE_PASSWORD_FILE to read it from a mounted secret. */
  CLICKHOUSE_PASSWORD: z.string().min(1).optional(),
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain identifier')
    .default('stableyield_analytics'),
  /** Rows per INSERT request (a consumed batch may take several). */
  BATCH_SIZE: positiveInt.default(50_000),
  CLICKHOUSE_TIMEOUT_MS: positiveInt.default(30_000),
  /** gzip insert bodies / ask for gzip answers: worth it only when the network, not the CPU, is the limit. */
  CLICKHOUSE_COMPRESS_REQUEST: booleanFlag.default(false),
  CLICKHOUSE_COMPRESS_RESPONSE: booleanFlag.default(false),
  /**
   * Reuse connections; an idle one is closed after CLICKHOUSE_KEEP_ALIVE_IDLE_MS, below the server's
   * keep_alive_timeout.
   */
  CLICKHOUSE_KEEP_ALIVE: booleanFlag.default(true),
  CLICKHOUSE_KEEP_ALIVE_IDLE_MS: nonNegativeInt.default(2_500),
  SINK_GROUP_ID: z.string().min(1).default('sink-clickhouse'),
  ...sinkConsumerSchema,
  /**
   * ClickHouse writes a part per INSERT and merges parts in the background: fewer, larger inserts
   * (a batch per topic at most every 2 s, sooner when FETCH_MIN_BYTES fill) keep that work small.
   * At 500 ms its CPU went from 4 to 24 % of a core when the index's grid went from 1 s to 250 ms.
   */
  FLUSH_INTERVAL_MS: positiveInt.default(2_000),
});
export type Config = z.output<typeof configSchema>;
export const loadAppConfig = (env?: Record<string, string | undefined>) => loadConfig(configSchema, env);

/** The client's connection settings from the configuration. */
export function clickHouseSettings(config: Config, logger?: ClickHouseSettings['logger']): ClickHouseSettings {
  return {
    url: config.CLICKHOUSE_URL,
    ...(config.CLICKHOUSE_USER ? { user: config.CLICKHOUSE_USER } : {}),
    ...(config.CLICKHOUSE_PASSWORD ? { password: config.CLICKHOUSE_PASSWORD } : {}),
    requestTimeoutMs: config.CLICKHOUSE_TIMEOUT_MS,
    compression: { request: config.CLICKHOUSE_COMPRESS_REQUEST, response: config.CLICKHOUSE_COMPRESS_RESPONSE },
    keepAlive: { enabled: config.CLICKHOUSE_KEEP_ALIVE, idleSocketTtlMs: config.CLICKHOUSE_KEEP_ALIVE_IDLE_MS },
    // One connection per concurrently written partition, one for the readiness ping.
    maxOpenConnections: config.PARTITIONS_CONCURRENTLY + 1,
    ...(logger ? { logger } : {}),
  };
}
