import { booleanFlag, commonSchema, eventTimeSchema, kafkaSchema, loadConfig, nonNegativeInt, port, positiveInt, topicPrefix, z } from '@stableyield/config';

export const configSchema = z.object({
  ...commonSchema,
  ...kafkaSchema,
  HEALTH_PORT: port.default(9206),
  TOPIC_PREFIX: topicPrefix,
  ...eventTimeSchema,
  MIN_COMMIT_INTERVAL_MS: nonNegativeInt.default(0),
  COMMIT_INTERVAL_MS: positiveInt.default(1000),
  TICK_MS: positiveInt.default(20),
  /** session timeout of the leader lease: how long a dead active instance blocks its standby */
  LEASE_SESSION_TIMEOUT_MS: positiveInt.default(10_000),
  PROVISION_TOPICS: booleanFlag.default(true),
});
export type Config = z.output<typeof configSchema>;
export const loadAppConfig = (env?: Record<string, string | undefined>) => loadConfig(configSchema, env);
