// The continuous auditor: recomputes every published SYI record from its inputs by the plain
// replay and compares (libs/stream AuditRunner). Reads Kafka only; serves /metrics, /live,
// /ready and /status on its health port.
import { createKafka, kafkaSettingsOf, TopicSerde } from '@stableyield/kafka';
import { createLogger, createMetricsRegistry, exitOnSignals, ProgressMonitor, Readiness, Shutdown, startHealthServer } from '@stableyield/observability';
import { createRegistryClient } from '@stableyield/schemas';
import { AuditRunner } from '@stableyield/stream';
import { loadAppConfig } from './config';

const APP = 'auditor';

async function main(): Promise<void> {
  const config = loadAppConfig();
  const logger = createLogger({ app: APP, level: config.LOG_LEVEL });
  const registry = createMetricsRegistry(APP);
  const progress = new ProgressMonitor(Date.now, registry);
  const readiness = new Readiness();
  const shutdown = new Shutdown(logger, config.SHUTDOWN_TIMEOUT_MS);
  exitOnSignals(shutdown);

  const kafka = createKafka(kafkaSettingsOf(config, config.KAFKA_CLIENT_ID ?? APP), logger);
  const runner = new AuditRunner({
    kafka,
    serde: new TopicSerde(createRegistryClient(config.SCHEMA_REGISTRY_URL)),
    logger,
    registry,
    topicPrefix: config.TOPIC_PREFIX,
    settleMs: config.AUDIT_SETTLE_MS,
    graceMs: config.AUDIT_GRACE_MS,
    tickMs: config.AUDIT_TICK_MS,
    onProgress: () => progress.beat('reader'),
  });
  progress.register('reader', 60_000);
  readiness.add('reading the topics', () => runner.isReady);
  const health = await startHealthServer({
    host: config.HEALTH_HOST,
    port: config.HEALTH_PORT,
    registry,
    progress,
    readiness,
    routes: {
      '/status': (_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(runner.status()));
      },
    },
  });
  shutdown.add('reader', () => runner.stop());
  shutdown.add('health', () => health.close());
  await runner.start();
  logger.info({ settleMs: config.AUDIT_SETTLE_MS, graceMs: config.AUDIT_GRACE_MS }, 'auditor_started');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
