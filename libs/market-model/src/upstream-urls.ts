/**
 * ingest-market's upstream variables pointed at a market simulator serving at `baseUrl` (the
 * routes of apps/market-sim), for tests and local runs. The simulator's FRED takes any key.
 */
export function simulatedMarketUpstreams(baseUrl: string): Record<string, string> {
  return {
    CRYPTOCOMPARE_URL: `${baseUrl}/cryptocompare`,
    BINANCE_URL: `${baseUrl}/binance`,
    DEFILLAMA_YIELDS_URL: `${baseUrl}/defillama/yields`,
    DEFILLAMA_STABLECOINS_URL: `${baseUrl}/defillama/stablecoins`,
    FRED_URL: `${baseUrl}/fred`,
    FRED_API_KEY: 'local-simulator',
  };
}
