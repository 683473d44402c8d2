import { booleanFlag, commonSchema, kafkaSchema, loadConfig, nonNegativeInt, port, positiveInt, z } from '@stableyield/config';

export const configSchema = z.object({
  ...commonSchema,
  ...kafkaSchema,
  HEALTH_PORT: port.default(9206),
  /** prefix of every topic name ('' in production; tests isolate runs with it) */
  TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]*$/, 'letters, digits, . _ - only').default(''),
  GRID_INTERVAL_MS: positiveInt.default(1000),
  ALLOWED_LATENESS_MS: nonNegativeInt.default(200),
  /**
   * 0 (default): a partition with unread records always holds the watermark. > 0: one that
   * delivers nothing this long stops holding it — liveness over exactness (its later records may be late).
   */
  IDLE_TIMEOUT_MS: nonNegativeInt.default(0),
  TRANSACTIONAL_ID: z.string().min(1).default('processor-syi'),
  MIN_COMMIT_INTERVAL_MS: nonNegativeInt.default(0),
  COMMIT_INTERVAL_MS: positiveInt.default(1000),
  TICK_MS: positiveInt.default(20),
  /** session timeout of the leader lease: how long a dead active instance blocks its standby */
  LEASE_SESSION_TIMEOUT_MS: positiveInt.default(10_000),
  PROVISION_TOPICS: booleanFlag.default(true),
});
export type Config = z.output<typeof configSchema>;
export const loadAppConfig = (env?: Record<string, string | undefined>) => loadConfig(configSchema, env);
