// keeper: Hermes prices from pyth.updates → Pyth contract on-chain (docs/keeper.md).
import { createKafka, kafkaSettingsOf, provisionTopics, TopicSerde } from '@stableyield/kafka';
import { createLogger, createMetricsRegistry, exitOnSignals, maskUrls, ProgressMonitor, Readiness, Shutdown, startHealthServer } from '@stableyield/observability';
import { createRegistryClient, registerSchemas } from '@stableyield/schemas';
import { loadAppConfig } from './config';
import { createKeeperApp } from './keeper';

async function main(): Promise<void> {
  const config = loadAppConfig();
  const logger = createLogger({ app: 'keeper', level: config.LOG_LEVEL });
  const registry = createMetricsRegistry('keeper');
  const progress = new ProgressMonitor(Date.now, registry);
  const readiness = new Readiness();
  const shutdown = new Shutdown(logger, config.SHUTDOWN_TIMEOUT_MS);
  exitOnSignals(shutdown);

  const kafka = createKafka(kafkaSettingsOf(config, config.KAFKA_CLIENT_ID ?? 'keeper'), logger);
  const registryClient = createRegistryClient(config.SCHEMA_REGISTRY_URL);
  await provisionTopics(kafka, logger, { replicationFactor: config.KAFKA_REPLICATION_FACTOR });
  await registerSchemas(registryClient);
  const app = createKeeperApp(config, logger, { kafka, serde: new TopicSerde(registryClient), registry, progress });
  // /ready: the chain answers (a standby is ready too; /health carries the full picture).
  readiness.add('rpc', () => !app.statusBody().health.reasons.includes('rpc-down'));

  const health = await startHealthServer({ host: config.HEALTH_HOST, port: config.METRICS_PORT, registry, progress, readiness, routes: app.routes });
  // SIGTERM: stop consuming, wait for the transaction in flight, then close (Shutdown runs them in order).
  shutdown.add('keeper', () => app.stop());
  shutdown.add('health', () => health.close());
  process.on('SIGUSR1', () => {
    if (!app.forcePushAll()) logger.info({}, 'force_push_ignored_standby');
  });
  await app.start();
}

main().catch((err: unknown) => {
  // Configuration errors print their list of problems (never a secret's value); anything else its message.
  console.error(maskUrls(err instanceof Error ? err.message : String(err)));
  process.exit(1);
});
