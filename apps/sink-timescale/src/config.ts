import { kafkaServiceSchema, loadConfig, positiveInt, sinkConsumerSchema, z } from '@stableyield/config';

export const configSchema = z.object({
  ...kafkaServiceSchema(9208),
  /** May hold a password: set DATABASE_URL_FILE to read it from a mounted secret. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .default('postgres://stableyield@127.0.0.1:55432/stableyield'),
  PG_POOL_SIZE: positiveInt.default(4),
  /** Rows per INSERT statement (a consumed batch may take several, all in one transaction). */
  BATCH_SIZE: positiveInt.default(5_000),
  SINK_GROUP_ID: z.string().min(1).default('sink-timescale'),
  ...sinkConsumerSchema,
  /** Plain PostgreSQL: how often the index aggregates' complete buckets are materialised (docs/storage.md). */
  AGGREGATE_REFRESH_MS: positiveInt.default(10_000),
});
export type Config = z.output<typeof configSchema>;
export const loadAppConfig = (env?: Record<string, string | undefined>) => loadConfig(configSchema, env);
