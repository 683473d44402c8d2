// ingest-market: CryptoCompare, Binance, DefiLlama and FRED pollers → cc.prices, cc.orderbook, dl.apy,
// ex.mktcap, trad.tbill (docs/ingestion.md).
import { connectKafka, prefixedSpecs } from '@stableyield/kafka';
import { startService } from '@stableyield/observability';
import { loadAppConfig } from './config';
import { createIngestMarket } from './ingest-market';

async function main(): Promise<void> {
  const config = loadAppConfig();
  const { logger, registry, progress, readiness, shutdown } = await startService('ingest-market', config);
  const provision = prefixedSpecs(config.TOPIC_PREFIX);
  const { kafka, serde } = await connectKafka(config, logger, { clientId: 'ingest-market', provision });

  const ingest = createIngestMarket(config, logger, { kafka, serde, registry, progress, readiness });
  shutdown.add('ingest', () => ingest.stop());
  await ingest.start();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
