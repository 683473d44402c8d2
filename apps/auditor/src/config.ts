import { kafkaServiceSchema, loadConfig, nonNegativeInt, positiveInt, z } from '@stableyield/config';

export const configSchema = z.object({
  ...kafkaServiceSchema(9213),
  /** wall ms between reading a published record and its first check (its inputs and late letters settle) */
  AUDIT_SETTLE_MS: nonNegativeInt.default(2_000),
  /** how long a record that differs is checked again (a late letter on its way) before it is a mismatch */
  AUDIT_GRACE_MS: positiveInt.default(30_000),
  /** how often due records are judged */
  AUDIT_TICK_MS: positiveInt.default(1_000),
});
export type Config = z.output<typeof configSchema>;
export const loadAppConfig = (env?: Record<string, string | undefined>) => loadConfig(configSchema, env);
