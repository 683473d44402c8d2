// market-sim: local stand-in for Hermes, CryptoCompare, Binance, DefiLlama and FRED (docs/market-sim.md).
import { Shutdown, createLogger, exitOnSignals } from '@stableyield/observability';
import { loadConfig } from './config';
import { startSim } from './sim';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ app: 'market-sim', level: config.logLevel });
  const sim = await startSim(config, logger);
  const shutdown = new Shutdown(logger, config.shutdownTimeoutMs);
  shutdown.add('api', () => sim.stopApi());
  shutdown.add('health', () => sim.stopHealth());
  exitOnSignals(shutdown);
  logger.info(
    { url: sim.url, health: sim.healthUrl, seed: config.seed, tickRate: config.tickRate },
    'market-sim listening',
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
