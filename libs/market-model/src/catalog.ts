// The simulated assets: the six SYI constituents plus ETH and BTC. Pyth ids are the real mainnet feed ids
// (reference/pyth-keeper.md §4), so configs written against the simulator work against Hermes.

export interface PoolSpec {
  project: string;
  chain: string;
  tvlUsd: number;
  apyBase: number;
  apyReward: number | null;
}

export interface AssetSpec {
  symbol: string;
  name: string;
  /** Upper-case symbol used by CryptoCompare and Binance tickers (USDe → USDE). */
  tickerSymbol: string;
  pythId: string;
  /** Reference price (1 for the stablecoins). */
  basePrice: number;
  /** Typical deviation from the reference, in basis points. */
  noiseBps: number;
  stablecoin: boolean;
  marketCapUsd: number;
  /** Binance turnover per 24 h in USD, against USDT. */
  volume24hUsd: number;
  pools: PoolSpec[];
}

const pool = (
  project: string,
  chain: string,
  tvlUsd: number,
  apyBase: number,
  apyReward: number | null = null,
): PoolSpec => ({
  project,
  chain,
  tvlUsd,
  apyBase,
  apyReward,
});

export const ASSETS: readonly AssetSpec[] = [
  {
    symbol: 'DAI',
    name: 'Dai',
    tickerSymbol: 'DAI',
    pythId: 'b0948a5e5313200c632b51bb5ca32f6de0d36e9950a942d19751e833f70dabfd',
    basePrice: 1,
    noiseBps: 3,
    stablecoin: true,
    marketCapUsd: 4.68e9,
    volume24hUsd: 1.5e8,
    pools: [
      pool('sky-dsr', 'Ethereum', 1.2e9, 6.5),
      pool('aave-v3', 'Ethereum', 3.1e8, 5.2),
      pool('spark', 'Ethereum', 8.5e8, 6.1),
      pool('compound-v3', 'Ethereum', 4.2e7, 4.8, 0.4),
    ],
  },
  {
    symbol: 'FDUSD',
    name: 'First Digital USD',
    tickerSymbol: 'FDUSD',
    pythId: 'ccdc1a08923e2e4f4b1e6ea89de6acbc5fe1948e9706f5604b8cb50bc1ed3979',
    basePrice: 1,
    noiseBps: 6,
    stablecoin: true,
    marketCapUsd: 2.12e9,
    volume24hUsd: 2.4e9,
    pools: [
      pool('venus-core-pool', 'BSC', 6.4e7, 4.1, 1.2),
      pool('aave-v3', 'BSC', 2.2e7, 3.6),
      pool('lista-lending', 'BSC', 1.8e7, 5.0),
    ],
  },
  {
    symbol: 'PYUSD',
    name: 'PayPal USD',
    tickerSymbol: 'PYUSD',
    pythId: 'c1da1b73d7f01e7ddd54b3766cf7fcd644395ad14f70aa706ec5384c59e76692',
    basePrice: 1,
    noiseBps: 4,
    stablecoin: true,
    marketCapUsd: 5.01e8,
    volume24hUsd: 2.1e7,
    pools: [
      pool('kamino-lend', 'Solana', 1.9e8, 7.2, 2.5),
      pool('aave-v3', 'Ethereum', 6.1e7, 4.4),
      pool('drift-protocol', 'Solana', 2.6e7, 6.0),
    ],
  },
  {
    symbol: 'USDC',
    name: 'USD Coin',
    tickerSymbol: 'USDC',
    pythId: 'eaa020c61cc479712813461ce153894a96a6c00b21ed0cfc2798d1f9a9e9c94a',
    basePrice: 1,
    noiseBps: 1.5,
    stablecoin: true,
    marketCapUsd: 3.67e10,
    volume24hUsd: 9.0e8,
    pools: [
      pool('aave-v3', 'Ethereum', 2.4e9, 4.9),
      pool('compound-v3', 'Ethereum', 6.5e8, 5.3, 0.6),
      pool('morpho-blue', 'Ethereum', 3.3e8, 6.2),
      pool('aave-v3', 'Base', 1.7e8, 5.6),
      pool('fluid-lending', 'Ethereum', 1.2e8, 5.8, 1.1),
    ],
  },
  {
    symbol: 'USDT',
    name: 'Tether',
    tickerSymbol: 'USDT',
    pythId: '2b89b9dc8fdf9f34709a5b106b472f0f39bb6ca9ce04b0fd7f2e971688e2e53b',
    basePrice: 1,
    noiseBps: 2,
    stablecoin: true,
    marketCapUsd: 1.277e11,
    volume24hUsd: 1.2e9,
    pools: [
      pool('aave-v3', 'Ethereum', 3.0e9, 4.6),
      pool('compound-v3', 'Ethereum', 4.1e8, 5.1, 0.5),
      pool('justlend', 'Tron', 2.9e8, 3.2),
      pool('venus-core-pool', 'BSC', 2.3e8, 4.0, 0.9),
    ],
  },
  {
    symbol: 'USDe',
    name: 'Ethena USDe',
    tickerSymbol: 'USDE',
    pythId: '6ec879b1e9963de5ee97e9c8710b742d6228252a5e2ca12d4ae81d7fe5ee8c5d',
    basePrice: 1,
    noiseBps: 8,
    stablecoin: true,
    marketCapUsd: 3.13e9,
    volume24hUsd: 8.5e7,
    pools: [
      pool('aave-v3', 'Ethereum', 9.8e8, 8.4),
      pool('pendle', 'Ethereum', 2.1e8, 11.5, 3.0),
      pool('morpho-blue', 'Ethereum', 7.5e7, 9.6),
    ],
  },
  {
    symbol: 'ETH',
    name: 'Ethereum',
    tickerSymbol: 'ETH',
    pythId: 'ff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace',
    basePrice: 2500,
    noiseBps: 150,
    stablecoin: false,
    marketCapUsd: 3.0e11,
    volume24hUsd: 1.5e9,
    pools: [],
  },
  {
    symbol: 'BTC',
    name: 'Bitcoin',
    tickerSymbol: 'BTC',
    pythId: 'e62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43',
    basePrice: 60000,
    noiseBps: 120,
    stablecoin: false,
    marketCapUsd: 1.2e12,
    volume24hUsd: 2.0e9,
    pools: [],
  },
];

export const CONSTITUENTS = ['DAI', 'FDUSD', 'PYUSD', 'USDC', 'USDT', 'USDe'] as const;

const bySymbol = new Map(ASSETS.map((a) => [a.symbol, a]));
const byTicker = new Map(ASSETS.map((a) => [a.tickerSymbol, a]));
const byPythId = new Map(ASSETS.map((a) => [a.pythId, a]));

export function assetBySymbol(symbol: string): AssetSpec | undefined {
  return bySymbol.get(symbol);
}

/** Case-insensitive lookup by ticker symbol (CryptoCompare fsym, Binance pair part). */
export function assetByTicker(ticker: string): AssetSpec | undefined {
  return byTicker.get(ticker.toUpperCase());
}

/** Lookup by Pyth feed id, with or without 0x, any case. */
export function assetByPythId(id: string): AssetSpec | undefined {
  return byPythId.get(id.toLowerCase().replace(/^0x/, ''));
}

/** Splits a Binance pair ("USDCUSDT") into two known assets, or undefined. */
export function splitPair(pair: string): { base: AssetSpec; quote: AssetSpec } | undefined {
  const upper = pair.toUpperCase();
  for (const quote of ASSETS) {
    if (upper.length > quote.tickerSymbol.length && upper.endsWith(quote.tickerSymbol)) {
      const base = byTicker.get(upper.slice(0, upper.length - quote.tickerSymbol.length));
      if (base !== undefined && base !== quote) return { base, quote };
    }
  }
  return undefined;
}
