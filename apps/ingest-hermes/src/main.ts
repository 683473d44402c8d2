// ingest-hermes: Pyth Hermes price stream → pyth.updates and pyth.prices (docs/ingestion.md).
import { createKafka, kafkaSettingsOf, prefixedSpecs, provisionTopics, TopicSerde } from '@stableyield/kafka';
import { createLogger, createMetricsRegistry, exitOnSignals, ProgressMonitor, Readiness, Shutdown, startHealthServer } from '@stableyield/observability';
import { createRegistryClient, registerSchemas } from '@stableyield/schemas';
import { loadAppConfig } from './config';
import { createIngestHermes } from './ingest-hermes';

async function main(): Promise<void> {
  const config = loadAppConfig();
  const logger = createLogger({ app: 'ingest-hermes', level: config.LOG_LEVEL });
  const registry = createMetricsRegistry('ingest-hermes');
  const progress = new ProgressMonitor(Date.now, registry);
  const readiness = new Readiness();
  const shutdown = new Shutdown(logger, config.SHUTDOWN_TIMEOUT_MS);
  exitOnSignals(shutdown);

  const health = await startHealthServer({ host: config.HEALTH_HOST, port: config.HEALTH_PORT, registry, progress, readiness });
  const kafka = createKafka(kafkaSettingsOf(config, config.KAFKA_CLIENT_ID ?? 'ingest-hermes'), logger);
  const registryClient = createRegistryClient(config.SCHEMA_REGISTRY_URL);
  await provisionTopics(kafka, logger, { replicationFactor: config.KAFKA_REPLICATION_FACTOR, topics: prefixedSpecs(config.TOPIC_PREFIX) });
  await registerSchemas(registryClient);
  const serde = new TopicSerde(registryClient);

  const ingest = createIngestHermes(config, logger, {
    kafka,
    serde,
    registry,
    progress,
    readiness,
    // Unknown feed ids will not fix themselves: stop with a clear message instead of retrying forever.
    onFatal: (error) => {
      void shutdown.run('hermes_failed', error).then(() => process.exit(1));
    },
  });
  shutdown.add('ingest', () => ingest.stop());
  shutdown.add('health', () => health.close());
  await ingest.start();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
