import { commonSchema, kafkaSchema, loadConfig, port, positiveInt, z } from '@stableyield/config';

export const configSchema = z.object({
  ...commonSchema,
  ...kafkaSchema,
  HEALTH_PORT: port.default(9208),
  /** May hold a password: set DATABASE_URL_FILE to read it from a mounted secret. */
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').default('postgres://stableyield@127.0.0.1:55432/stableyield'),
  PG_POOL_SIZE: positiveInt.default(4),
  /** Rows per INSERT statement (a consumed batch may take several, all in one transaction). */
  BATCH_SIZE: positiveInt.default(5_000),
  SINK_GROUP_ID: z.string().min(1).default('sink-timescale'),
  /** Consume `<prefix><topic>` instead of the catalog topics: tests and benchmarks only. */
  TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]*$/, 'letters, digits, . _ - only').default(''),
  /** Back-off cap between retries of a failed batch (e.g. while the database is down). */
  RETRY_MAX_MS: positiveInt.default(5_000),
  /** Batching by age and size: a fetch waits up to FLUSH_INTERVAL_MS for FETCH_MIN_BYTES of records. */
  FLUSH_INTERVAL_MS: positiveInt.default(500),
  FETCH_MIN_BYTES: positiveInt.default(65_536),
  FETCH_MAX_BYTES_PER_PARTITION: positiveInt.default(4_194_304),
  /** Partitions whose batches are written at the same time (each its own DB transaction). */
  PARTITIONS_CONCURRENTLY: positiveInt.default(2),
  /** Plain PostgreSQL: how often the index aggregates' complete buckets are materialised (docs/storage.md). */
  AGGREGATE_REFRESH_MS: positiveInt.default(10_000),
});
export type Config = z.output<typeof configSchema>;
export const loadAppConfig = (env?: Record<string, string | undefined>) => loadConfig(configSchema, env);
