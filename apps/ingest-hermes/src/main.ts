// ingest-hermes: Pyth Hermes price stream → pyth.updates and pyth.prices (docs/ingestion.md).
import { connectKafka, prefixedSpecs } from '@stableyield/kafka';
import { startService } from '@stableyield/observability';
import { loadAppConfig } from './config';
import { createIngestHermes } from './ingest-hermes';

async function main(): Promise<void> {
  const config = loadAppConfig();
  const { logger, registry, progress, readiness, shutdown } = await startService('ingest-hermes', config);
  const provision = prefixedSpecs(config.TOPIC_PREFIX);
  const { kafka, serde } = await connectKafka(config, logger, { clientId: 'ingest-hermes', provision });

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
  await ingest.start();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
