import { commonSchema, httpUrl, kafkaSchema, loadConfig, port, positiveInt, z } from '@stableyield/config';

export const configSchema = z.object({
  ...commonSchema,
  ...kafkaSchema,
  HEALTH_PORT: port.default(9209),
  CLICKHOUSE_URL: httpUrl.default('http://127.0.0.1:8123'),
  CLICKHOUSE_USER: z.string().min(1).optional(),
  /** Set CLICKHOUSE_PASSWORD_FILE to read it from a mounted secret. */
  CLICKHOUSE_PASSWORD: z.string().min(1).optional(),
  CLICKHOUSE_DATABASE: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain identifier').default('stableyield_analytics'),
  /** Rows per INSERT request (a consumed batch may take several). */
  BATCH_SIZE: positiveInt.default(50_000),
  CLICKHOUSE_TIMEOUT_MS: positiveInt.default(30_000),
  SINK_GROUP_ID: z.string().min(1).default('sink-clickhouse'),
  /** Consume `<prefix><topic>` instead of the catalog topics: tests and benchmarks only. */
  TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]*$/, 'letters, digits, . _ - only').default(''),
  RETRY_MAX_MS: positiveInt.default(5_000),
  /** Batching by age and size: a fetch waits up to FLUSH_INTERVAL_MS for FETCH_MIN_BYTES of records. */
  FLUSH_INTERVAL_MS: positiveInt.default(500),
  FETCH_MIN_BYTES: positiveInt.default(65_536),
  FETCH_MAX_BYTES_PER_PARTITION: positiveInt.default(4_194_304),
  /** Partitions whose batches are written at the same time (each its own DB transaction). */
  PARTITIONS_CONCURRENTLY: positiveInt.default(2),
});
export type Config = z.output<typeof configSchema>;
export const loadAppConfig = (env?: Record<string, string | undefined>) => loadConfig(configSchema, env);
