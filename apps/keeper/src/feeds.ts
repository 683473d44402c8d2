// Which feeds the keeper pushes: the price pusher's YAML (PRICE_CONFIG_FILE) or, without one, the
// feeds the local simulator and ingest-hermes carry (the six constituents plus ETH and BTC), with
// the env-level thresholds.
import { readFileSync } from 'node:fs';
import { parsePriceConfig, type FeedConfig, type Thresholds } from '@stableyield/chain';
import { type Config } from './config';

export const DEFAULT_PRICE_CONFIG = `
- { alias: DAI/USD, id: b0948a5e5313200c632b51bb5ca32f6de0d36e9950a942d19751e833f70dabfd }
- { alias: FDUSD/USD, id: ccdc1a08923e2e4f4b1e6ea89de6acbc5fe1948e9706f5604b8cb50bc1ed3979 }
- { alias: PYUSD/USD, id: c1da1b73d7f01e7ddd54b3766cf7fcd644395ad14f70aa706ec5384c59e76692 }
- { alias: USDC/USD, id: eaa020c61cc479712813461ce153894a96a6c00b21ed0cfc2798d1f9a9e9c94a }
- { alias: USDT/USD, id: 2b89b9dc8fdf9f34709a5b106b472f0f39bb6ca9ce04b0fd7f2e971688e2e53b }
- { alias: USDE/USD, id: 6ec879b1e9963de5ee97e9c8710b742d6228252a5e2ca12d4ae81d7fe5ee8c5d }
- { alias: ETH/USD, id: ff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace }
- { alias: BTC/USD, id: e62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43 }
`;

export function defaultThresholds(config: Config): Thresholds {
  return {
    timeDifferenceS: config.FORCE_UPDATE_INTERVAL_MS / 1000,
    priceDeviationPct: config.MIN_PRICE_CHANGE_PERCENT,
    confidenceRatioPct: config.CONFIDENCE_RATIO_PERCENT,
  };
}

export function loadFeeds(
  config: Config,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): FeedConfig[] {
  const text = config.PRICE_CONFIG_FILE === undefined ? DEFAULT_PRICE_CONFIG : readFile(config.PRICE_CONFIG_FILE);
  return parsePriceConfig(text, defaultThresholds(config));
}
