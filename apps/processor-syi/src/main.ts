import { Lease } from '@stableyield/kafka';
import { transactionalIdOf } from '@stableyield/config';
import { startService } from '@stableyield/observability';
import { connectProcessorKafka, processorSettingsOf, SyiProcessor } from '@stableyield/stream';
import { loadAppConfig } from './config';

const APP = 'processor-syi';

async function main(): Promise<void> {
  const config = loadAppConfig();
  const { logger, registry, progress, readiness, shutdown } = await startService(APP, config);
  const { kafka, serde, leaseTopic, leaseGroupId } = await connectProcessorKafka(APP, config, logger);

  const fatal = (why: unknown) => {
    logger.error({ err: why }, 'processor_failed_exiting');
    // Kafka holds the last committed state; a restart (or the standby) resumes from it.
    process.exit(1);
  };

  // Hot standby: only the holder of the lease runs the processor.
  const lease = new Lease({
    kafka,
    logger,
    topic: leaseTopic,
    groupId: leaseGroupId,
    sessionTimeoutMs: config.LEASE_SESSION_TIMEOUT_MS,
  });
  readiness.add('lease held (active instance)', () => lease.isHeld);
  progress.register('consumer', 60_000);
  // Steps run in registration order: stop the processor (it commits), leave the lease (health closes last).
  const running: { processor?: SyiProcessor } = {};
  shutdown.add('processor', () => running.processor?.stop());
  shutdown.add('lease', () => lease.release());
  await lease.acquire((why) => fatal(new Error(`lease lost: ${why}`)));

  const transactionalId = transactionalIdOf(config, APP);
  const active = new SyiProcessor({
    kafka,
    serde,
    logger,
    registry,
    ...processorSettingsOf(config),
    transactionalId,
    onFatal: fatal,
    onProgress: () => progress.beat('consumer'),
  });
  running.processor = active;
  readiness.add('state restored', () => active.isReady);
  // degraded, not dead: reading waits at the record the registry cannot decode yet
  readiness.add('schema registry available', () => active.registryAvailable);
  await active.start();
  const deployment = config.DEPLOYMENT_ID;
  logger.info({ lastEvaluated: active.lastEvaluated, transactionalId, deployment }, 'processor_started');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
