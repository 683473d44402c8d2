// The wiring shared by apps/processor-peg, -liquidity and -ray: configuration schema, health,
// topic provisioning, the shard lease and the sharded processor. Each app only names its kind.
import { fetchMaxWaitOf, transactionalIdOf, type ProcessorConfig } from '@stableyield/config';
import { METHODOLOGY_V1 } from '@stableyield/index-engine';
import {
  CATALOG,
  connectKafka,
  prefixedSpecs,
  prefixedTopic,
  ShardLease,
  type KafkaConnection,
} from '@stableyield/kafka';
import { startService, type Logger } from '@stableyield/observability';
import type { EventTimeProcessorOptions } from './event-time-processor';
import { ShardedMeasureProcessor, type MeasureKind } from './measure-processor';
import { processorOwnTopics, type ProcessorApp } from './processor-topics';

/** processor-syi's variables (`processorConfigSchema`); each kind has its own health port. */
export type MeasureAppConfig = ProcessorConfig;

type ProcessorSettings = Pick<
  EventTimeProcessorOptions,
  | 'topicPrefix'
  | 'gridStepMs'
  | 'allowedLatenessMs'
  | 'idleTimeoutMs'
  | 'minCommitIntervalMs'
  | 'commitIntervalMs'
  | 'tickMs'
  | 'fetchMaxWaitMs'
  | 'clockAdvanceMaxMs'
>;

/** A processor's event-time and commit options from its variables: the one map of env names to code names. */
export function processorSettingsOf(config: ProcessorConfig): ProcessorSettings {
  return {
    topicPrefix: config.TOPIC_PREFIX,
    gridStepMs: config.GRID_INTERVAL_MS,
    allowedLatenessMs: config.ALLOWED_LATENESS_MS,
    idleTimeoutMs: config.IDLE_TIMEOUT_MS,
    minCommitIntervalMs: config.MIN_COMMIT_INTERVAL_MS,
    commitIntervalMs: config.COMMIT_INTERVAL_MS,
    tickMs: config.TICK_MS,
    fetchMaxWaitMs: fetchMaxWaitOf(config),
    clockAdvanceMaxMs: config.WATERMARK_CLOCK_MAX_MS,
  };
}

/** A processor app's Kafka connection and the topic and group of its lease (standby or shards). */
export interface ProcessorKafka extends KafkaConnection {
  readonly leaseTopic: string;
  readonly leaseGroupId: string;
}

/**
 * Connects a processor app; where it provisions (PROVISION_TOPICS), the catalog, its state
 * changelog and its lease topic (one partition per shard) are created first; the schemas are
 * registered either way.
 */
export async function connectProcessorKafka(
  app: ProcessorApp,
  config: ProcessorConfig,
  logger: Logger,
): Promise<ProcessorKafka> {
  const own = processorOwnTopics(app, config.TOPIC_PREFIX);
  const provision = [...prefixedSpecs(config.TOPIC_PREFIX, CATALOG), own.changelog, own.lease];
  const connection = await connectKafka(config, logger, { clientId: app, provision });
  const leaseTopic = own.lease.name;
  return { ...connection, leaseTopic, leaseGroupId: `${prefixedTopic(config.TOPIC_PREFIX, app)}.lease` };
}

/**
 * Starts the processor in the app's process `proc`: its signals run the shutdown, and a failed shard
 * or a lost lease exits it (Kafka holds every shard's last committed state for the restart or another instance).
 */
export async function runMeasureApp(kind: MeasureKind, config: MeasureAppConfig, proc: NodeJS.Process): Promise<void> {
  const app: ProcessorApp = `processor-${kind}`;
  const { logger, registry, progress, readiness, shutdown } = await startService(app, config, { signals: proc });
  const { kafka, serde, leaseTopic, leaseGroupId } = await connectProcessorKafka(app, config, logger);

  const fatal = (why: unknown) => {
    logger.error({ err: why }, 'processor_failed_exiting');
    proc.exit(1);
  };
  const processor = new ShardedMeasureProcessor({
    kind,
    symbols: METHODOLOGY_V1.constituents,
    kafka,
    serde,
    logger,
    registry,
    ...processorSettingsOf(config),
    // shard p: `<TOPIC_PREFIX>processor-<kind>.<DEPLOYMENT_ID>-<p>`
    transactionalIdPrefix: transactionalIdOf(config, app),
    onFatal: fatal,
    onProgress: () => progress.beat('consumer'),
  });
  const lease = new ShardLease({
    kafka,
    logger,
    topic: leaseTopic,
    groupId: leaseGroupId,
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
  // Steps run in registration order: stop the shards (they commit), leave the group (health closes last).
  shutdown.add('processor', () => processor.stop());
  shutdown.add('lease', () => lease.leave());
  await lease.join((why) => fatal(new Error(why)));
  joined = true;
  const deployment = config.DEPLOYMENT_ID;
  const transactionalIdPrefix = transactionalIdOf(config, app);
  logger.info({ shards: processor.shards, transactionalIdPrefix, deployment }, 'processor_started');
}
