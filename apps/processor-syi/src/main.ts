import { CATALOG, createKafka, kafkaSettingsOf, Lease, prefixedSpecs, prefixedTopic, provisionTopics, TopicSerde } from '@stableyield/kafka';
import { transactionalIdOf } from '@stableyield/config';
import { createLogger, createMetricsRegistry, exitOnSignals, ProgressMonitor, Readiness, Shutdown, startHealthServer } from '@stableyield/observability';
import { createRegistryClient, registerSchemas } from '@stableyield/schemas';
import { SyiProcessor } from '@stableyield/stream';
import { loadAppConfig } from './config';

const APP = 'processor-syi';

async function main(): Promise<void> {
  const config = loadAppConfig();
  const logger = createLogger({ app: APP, level: config.LOG_LEVEL });
  const registry = createMetricsRegistry(APP);
  const progress = new ProgressMonitor(Date.now, registry);
  const readiness = new Readiness();
  const shutdown = new Shutdown(logger, config.SHUTDOWN_TIMEOUT_MS);
  exitOnSignals(shutdown);

  const health = await startHealthServer({ host: config.HEALTH_HOST, port: config.HEALTH_PORT, registry, progress, readiness });
  const kafka = createKafka(kafkaSettingsOf(config, config.KAFKA_CLIENT_ID ?? APP), logger);
  const registryClient = createRegistryClient(config.SCHEMA_REGISTRY_URL);
  const leaseTopic = prefixedTopic(config.TOPIC_PREFIX, `${APP}.lease`);
  if (config.PROVISION_TOPICS) {
    const specs = [...prefixedSpecs(config.TOPIC_PREFIX, CATALOG), SyiProcessor.changelogSpec(config.TOPIC_PREFIX)];
    specs.push({ name: leaseTopic, key: 'none (group membership only)', partitions: 1, cleanupPolicy: 'delete', retentionMs: 3_600_000 });
    await provisionTopics(kafka, logger, { replicationFactor: config.KAFKA_REPLICATION_FACTOR, topics: specs });
    await registerSchemas(registryClient);
  }
  const serde = new TopicSerde(registryClient);

  const fatal = (why: unknown) => {
    logger.error({ err: why }, 'processor_failed_exiting');
    // Kafka holds the last committed state; a restart (or the standby) resumes from it.
    process.exit(1);
  };

  // Hot standby: only the holder of the lease runs the processor.
  const lease = new Lease({ kafka, logger, topic: leaseTopic, groupId: `${prefixedTopic(config.TOPIC_PREFIX, APP)}.lease`, sessionTimeoutMs: config.LEASE_SESSION_TIMEOUT_MS });
  readiness.add('lease held (active instance)', () => lease.isHeld);
  progress.register('consumer', 60_000);
  // Steps run in registration order: stop the processor (it commits), leave the lease, health last.
  const running: { processor?: SyiProcessor } = {};
  shutdown.add('processor', () => running.processor?.stop());
  shutdown.add('lease', () => lease.release());
  shutdown.add('health', () => health.close());
  await lease.acquire((why) => fatal(new Error(`lease lost: ${why}`)));

  const transactionalId = transactionalIdOf(config, APP);
  const active = new SyiProcessor({
    kafka,
    serde,
    logger,
    registry,
    topicPrefix: config.TOPIC_PREFIX,
    gridStepMs: config.GRID_INTERVAL_MS,
    allowedLatenessMs: config.ALLOWED_LATENESS_MS,
    idleTimeoutMs: config.IDLE_TIMEOUT_MS,
    transactionalId,
    minCommitIntervalMs: config.MIN_COMMIT_INTERVAL_MS,
    commitIntervalMs: config.COMMIT_INTERVAL_MS,
    tickMs: config.TICK_MS,
    onFatal: fatal,
    onProgress: () => progress.beat('consumer'),
  });
  running.processor = active;
  readiness.add('state restored', () => active.isReady);
  // degraded, not dead: reading waits at the record the registry cannot decode yet
  readiness.add('schema registry available', () => active.registryAvailable);
  await active.start();
  logger.info({ lastEvaluated: active.lastEvaluated, transactionalId, deployment: config.DEPLOYMENT_ID }, 'processor_started');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
