// The continuous auditor: recomputes every published SYI record from its inputs by the plain
// replay and compares (libs/stream AuditRunner). Reads Kafka only; serves /metrics, /live,
// /ready and /status on its health port.
import { connectKafka } from '@stableyield/kafka';
import { startService } from '@stableyield/observability';
import { AuditRunner } from '@stableyield/stream';
import { loadAppConfig } from './config';

const APP = 'auditor';

async function main(): Promise<void> {
  const config = loadAppConfig();
  // The health server waits for the runner: it serves the runner's /status too.
  const service = await startService(APP, config, { health: false });
  const { logger, registry, progress, readiness, shutdown } = service;
  // Reads only: the topics and schemas are the writers' to provision.
  const { kafka, serde } = await connectKafka(config, logger, { clientId: APP, provision: false });
  const runner = new AuditRunner({
    kafka,
    serde,
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
  await service.serveHealth({
    '/status': (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(runner.status()));
    },
  });
  shutdown.add('reader', () => runner.stop());
  await runner.start();
  logger.info({ settleMs: config.AUDIT_SETTLE_MS, graceMs: config.AUDIT_GRACE_MS }, 'auditor_started');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
