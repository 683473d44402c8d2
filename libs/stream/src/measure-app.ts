// The wiring shared by apps/processor-peg, -liquidity and -ray: configuration schema, health,
// topic provisioning, the shard lease and the sharded processor. Each app only names its kind.
import { booleanFlag, commonSchema, eventTimeSchema, kafkaSchema, nonNegativeInt, port, positiveInt, topicPrefix, transactionalIdOf, z } from '@stableyield/config';
import { METHODOLOGY_V1 } from '@stableyield/index-engine';
import { CATALOG, createKafka, kafkaSettingsOf, prefixedSpecs, prefixedTopic, provisionTopics, ShardLease, TopicSerde } from '@stableyield/kafka';
import { createLogger, createMetricsRegistry, exitOnSignals, ProgressMonitor, Readiness, Shutdown, startHealthServer } from '@stableyield/observability';
import { createRegistryClient, registerSchemas } from '@stableyield/schemas';
import { MEASURE_SHARDS, measureChangelogSpec, ShardedMeasureProcessor, type MeasureKind } from './measure-processor';

export function measureConfigSchema(kind: MeasureKind, healthPort: number) {
  return z.object({
    ...commonSchema,
    ...kafkaSchema,
    HEALTH_PORT: port.default(healthPort),
    TOPIC_PREFIX: topicPrefix,
    ...eventTimeSchema,
    MIN_COMMIT_INTERVAL_MS: nonNegativeInt.default(0),
    COMMIT_INTERVAL_MS: positiveInt.default(1000),
    TICK_MS: positiveInt.default(20),
    /** how long a dead instance keeps its shards */
    LEASE_SESSION_TIMEOUT_MS: positiveInt.default(10_000),
    PROVISION_TOPICS: booleanFlag.default(true),
  });
}
export type MeasureAppConfig = z.output<ReturnType<typeof measureConfigSchema>>;

export async function runMeasureApp(kind: MeasureKind, config: MeasureAppConfig): Promise<void> {
  const app = `processor-${kind}`;
  const logger = createLogger({ app, level: config.LOG_LEVEL });
  const registry = createMetricsRegistry(app);
  const progress = new ProgressMonitor(Date.now, registry);
  const readiness = new Readiness();
  const shutdown = new Shutdown(logger, config.SHUTDOWN_TIMEOUT_MS);
  exitOnSignals(shutdown);

  const health = await startHealthServer({ host: config.HEALTH_HOST, port: config.HEALTH_PORT, registry, progress, readiness });
  const kafka = createKafka(kafkaSettingsOf(config, config.KAFKA_CLIENT_ID ?? app), logger);
  const registryClient = createRegistryClient(config.SCHEMA_REGISTRY_URL);
  const leaseTopic = prefixedTopic(config.TOPIC_PREFIX, `${app}.lease`);
  if (config.PROVISION_TOPICS) {
    const specs = [...prefixedSpecs(config.TOPIC_PREFIX, CATALOG), measureChangelogSpec(kind, config.TOPIC_PREFIX)];
    specs.push({ name: leaseTopic, key: 'none (group membership only)', partitions: MEASURE_SHARDS, cleanupPolicy: 'delete', retentionMs: 3_600_000 });
    await provisionTopics(kafka, logger, { replicationFactor: config.KAFKA_REPLICATION_FACTOR, topics: specs });
    await registerSchemas(registryClient);
  }

  const fatal = (why: unknown) => {
    logger.error({ err: why }, 'processor_failed_exiting');
    // Kafka holds every shard's last committed state; a restart (or another instance) resumes from it.
    process.exit(1);
  };
  const processor = new ShardedMeasureProcessor({
    kind,
    symbols: METHODOLOGY_V1.constituents,
    kafka,
    serde: new TopicSerde(registryClient),
    logger,
    registry,
    topicPrefix: config.TOPIC_PREFIX,
    gridStepMs: config.GRID_INTERVAL_MS,
    allowedLatenessMs: config.ALLOWED_LATENESS_MS,
    idleTimeoutMs: config.IDLE_TIMEOUT_MS,
    // shard p: `<TOPIC_PREFIX>processor-<kind>.<DEPLOYMENT_ID>-<p>`
    transactionalIdPrefix: transactionalIdOf(config, app),
    minCommitIntervalMs: config.MIN_COMMIT_INTERVAL_MS,
    commitIntervalMs: config.COMMIT_INTERVAL_MS,
    tickMs: config.TICK_MS,
    onFatal: fatal,
    onProgress: () => progress.beat('consumer'),
  });
  const lease = new ShardLease({
    kafka,
    logger,
    topic: leaseTopic,
    groupId: `${prefixedTopic(config.TOPIC_PREFIX, app)}.lease`,
    sessionTimeoutMs: config.LEASE_SESSION_TIMEOUT_MS,
    onAssignment: (shards) => processor.assign(shards),
  });
  let joined = false;
  readiness.add('shard group joined', () => joined);
  readiness.add('state restored', () => processor.isReady);
  // degraded, not dead: reading waits at the record the registry cannot decode yet
  readiness.add('schema registry available', () => processor.registryAvailable);
  progress.register('consumer', 60_000);
  // An instance that owns no shard (more instances than shards) has nothing to read: still alive.
  const idleBeat = setInterval(() => processor.shards.length === 0 && progress.beat('consumer'), 5_000);
  idleBeat.unref();
  // Steps run in registration order: stop the shards (they commit), leave the group, health last.
  shutdown.add('processor', () => processor.stop());
  shutdown.add('lease', () => lease.leave());
  shutdown.add('health', () => health.close());
  await lease.join((why) => fatal(new Error(why)));
  joined = true;
  logger.info({ shards: processor.shards, transactionalIdPrefix: transactionalIdOf(config, app), deployment: config.DEPLOYMENT_ID }, 'processor_started');
}
