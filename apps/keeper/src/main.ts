// keeper: Hermes prices from pyth.updates → Pyth contract on-chain (docs/keeper.md).
import { CATALOG, connectKafka } from '@stableyield/kafka';
import { maskUrls, startService } from '@stableyield/observability';
import { loadAppConfig } from './config';
import { createKeeperApp } from './keeper';

async function main(): Promise<void> {
  const config = loadAppConfig();
  // The health server waits for the app: it serves the keeper's /health and /status too.
  const service = await startService('keeper', { ...config, HEALTH_PORT: config.METRICS_PORT }, { health: false });
  const { logger, registry, progress, readiness, shutdown } = service;
  const { kafka, serde } = await connectKafka(config, logger, { clientId: 'keeper', provision: CATALOG });
  const app = createKeeperApp(config, logger, { kafka, serde, registry, progress });
  // /ready: the chain answers (a standby is ready too; /health carries the full picture).
  readiness.add('rpc', () => !app.statusBody().health.reasons.includes('rpc-down'));

  await service.serveHealth(app.routes);
  // SIGTERM: stop consuming, wait for the transaction in flight, then close (Shutdown runs them in order).
  shutdown.add('keeper', () => app.stop());
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
