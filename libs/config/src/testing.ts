// Test-only entry point: '@stableyield/config/testing'. Never import it from product code.
import { ConfigError, type Env } from './load';

/**
 * The problems `load(env)` reports, one a line (`NAME: what is wrong`). Throws unless `load`
 * refuses `env` with a ConfigError.
 */
export function configProblems(load: (env: Env) => unknown, env: Env): string {
  try {
    load(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.join('\n');
    throw err;
  }
  throw new Error(`expected a ConfigError, but the configuration loaded: ${Object.keys(env).join(', ')}`);
}

/** What every service on Kafka (`kafkaServiceSchema`) defaults to, with its health port: for toMatchObject. */
export function kafkaServiceDefaults(healthPort: number) {
  return {
    LOG_LEVEL: 'info',
    HEALTH_HOST: '127.0.0.1',
    HEALTH_PORT: healthPort,
    SHUTDOWN_TIMEOUT_MS: 15_000,
    KAFKA_BROKERS: ['127.0.0.1:9092'],
    SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
    DEPLOYMENT_ID: 'local',
    TOPIC_PREFIX: '',
    PROVISION_TOPICS: true,
  };
}
