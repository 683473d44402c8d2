// The simulated market: one consistent state per (seed, time). Every venue, feed, pool and rate is a pure
// function of the seed and t (plus the loaded scenario), so all APIs agree and runs are reproducible.
import { type DlApyRecord } from '@stableyield/upstream';
import { ASSETS, assetBySymbol, type AssetSpec } from './catalog';
import { signedUnit, unit, uuidFrom, valueNoise } from './prng';
import { activeEvents, depegWeight, type LoadedScenario } from './scenario';

export type Venue = 'pyth' | 'cryptocompare' | 'binance';

export interface PythQuote {
  price: bigint;
  conf: bigint;
  expo: number;
  emaPrice: bigint;
  emaConf: bigint;
}

/** A DefiLlama pool as /pools serves it: the dl.apy fields plus what the ingester filters on. */
export interface PoolState extends Omit<DlApyRecord, 'ts'> {
  exposure: 'single' | 'multi';
  stablecoin: boolean;
  poolMeta: string | null;
}

const PYTH_EXPO = -8;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Rounds like DefiLlama (5 decimals). */
const round5 = (x: number): number => Math.round(x * 1e5) / 1e5;

export class Market {
  private scenario: LoadedScenario | null = null;

  constructor(readonly seed: number) {}

  setScenario(loaded: LoadedScenario | null): void {
    this.scenario = loaded;
  }

  getScenario(): LoadedScenario | null {
    return this.scenario;
  }

  asset(symbol: string): AssetSpec {
    const asset = assetBySymbol(symbol);
    if (asset === undefined) throw new Error(`unknown asset ${symbol}`);
    return asset;
  }

  /** The fair USD price at t: the reference with slow and fast drift, then any scenario depeg. */
  fairPrice(symbol: string, t: number): number {
    const a = this.asset(symbol);
    const drift =
      0.7 * valueNoise(this.seed, `slow:${symbol}`, t, 60_000) +
      0.3 * valueNoise(this.seed, `fast:${symbol}`, t, 5_000);
    let price = a.basePrice * (1 + a.noiseBps * 1e-4 * drift);
    if (this.scenario !== null) {
      for (const e of this.scenario.scenario.events) {
        if (e.type !== 'depeg' || e.symbol !== symbol) continue;
        const w = depegWeight(e, this.scenario, t);
        price = price * (1 - w) + e.price * w;
      }
    }
    return price;
  }

  /** A venue's price: the fair price plus a small venue-specific basis (about 0.5 bp for stablecoins). */
  venuePrice(symbol: string, venue: Venue, t: number): number {
    const a = this.asset(symbol);
    const basisBps = a.stablecoin ? 0.5 : a.noiseBps * 0.02;
    return (
      this.fairPrice(symbol, t) * (1 + basisBps * 1e-4 * valueNoise(this.seed, `venue:${venue}:${symbol}`, t, 10_000))
    );
  }

  pythQuote(symbol: string, t: number): PythQuote {
    const a = this.asset(symbol);
    const scale = 10 ** -PYTH_EXPO;
    const price = this.venuePrice(symbol, 'pyth', t);
    // The EMA is the mean of the last minute's prices, sampled every 10 s.
    let emaSum = 0;
    for (let k = 0; k < 6; k++) emaSum += this.venuePrice(symbol, 'pyth', t - k * 10_000);
    const confFraction =
      (2 + a.noiseBps) * 1e-4 * (0.8 + 0.4 * unit(this.seed, `conf:${symbol}`, Math.floor(t / 1000)));
    return {
      price: BigInt(Math.round(price * scale)),
      conf: BigInt(Math.max(1, Math.round(price * confFraction * scale))),
      expo: PYTH_EXPO,
      emaPrice: BigInt(Math.round((emaSum / 6) * scale)),
      emaConf: BigInt(Math.max(1, Math.round(price * confFraction * 1.2 * scale))),
    };
  }

  /** 24 h turnover in USD on a venue, within ±20 % of the catalog figure. */
  volume24hUsd(symbol: string, venue: Venue, t: number): number {
    const a = this.asset(symbol);
    const venueShare = venue === 'binance' ? 1 : 3;
    return a.volume24hUsd * venueShare * (1 + 0.2 * valueNoise(this.seed, `vol:${venue}:${symbol}`, t, HOUR));
  }

  marketCapUsd(symbol: string, t: number): number {
    const a = this.asset(symbol);
    return a.marketCapUsd * (1 + 0.002 * valueNoise(this.seed, `mc:${symbol}`, t, 6 * HOUR));
  }

  /** Every pool: several single-asset pools per constituent (TVL ≥ 10M), plus pools the filters must drop. */
  pools(t: number): PoolState[] {
    const outliers = activeEvents(this.scenario, t).filter((e) => e.type === 'apy-outlier');
    const pools: PoolState[] = [];
    for (const a of ASSETS) {
      a.pools.forEach((spec, i) => {
        const id = uuidFrom(this.seed, `pool:${a.symbol}:${i}`);
        const outlier = outliers.find((e) => e.symbol === a.symbol && e.pool === i);
        const apyBase = outlier?.apyBase ?? spec.apyBase * (1 + 0.08 * valueNoise(this.seed, `apy:${id}`, t, HOUR));
        const apyReward =
          spec.apyReward === null
            ? null
            : round5(spec.apyReward * (1 + 0.1 * valueNoise(this.seed, `rew:${id}`, t, HOUR)));
        const base = round5(apyBase);
        pools.push({
          pool: id,
          project: spec.project,
          chain: spec.chain,
          symbol: a.symbol,
          tvlUsd: Math.round(spec.tvlUsd * (1 + 0.03 * valueNoise(this.seed, `tvl:${id}`, t, 6 * HOUR))),
          apyBase: base,
          apyReward,
          apy: round5(base + (apyReward ?? 0)),
          exposure: 'single',
          stablecoin: true,
          poolMeta: null,
        });
      });
    }
    const extra = (key: string, p: Omit<PoolState, 'pool'>): void => {
      pools.push({ pool: uuidFrom(this.seed, `pool:extra:${key}`), ...p });
    };
    const slow = (key: string): number => 1 + 0.05 * valueNoise(this.seed, key, t, HOUR);
    extra('steth', {
      project: 'lido',
      chain: 'Ethereum',
      symbol: 'STETH',
      tvlUsd: 3.2e10,
      apyBase: round5(2.7 * slow('steth')),
      apyReward: null,
      apy: round5(2.7 * slow('steth')),
      exposure: 'single',
      stablecoin: false,
      poolMeta: null,
    });
    extra('susde', {
      project: 'ethena-usde',
      chain: 'Ethereum',
      symbol: 'SUSDE',
      tvlUsd: 5.7e9,
      apyBase: round5(9.5 * slow('susde')),
      apyReward: null,
      apy: round5(9.5 * slow('susde')),
      exposure: 'single',
      stablecoin: true,
      poolMeta: '7 days unstaking',
    });
    extra('curve-3pool', {
      project: 'curve-dex',
      chain: 'Ethereum',
      symbol: 'USDC-USDT',
      tvlUsd: 1.8e8,
      apyBase: round5(1.9 * slow('3pool')),
      apyReward: 0.4,
      apy: round5(1.9 * slow('3pool') + 0.4),
      exposure: 'multi',
      stablecoin: true,
      poolMeta: null,
    });
    extra('small-usdc', {
      project: 'silo-v2',
      chain: 'Arbitrum',
      symbol: 'USDC',
      tvlUsd: 2.5e6,
      apyBase: round5(12.0 * slow('silo')),
      apyReward: null,
      apy: round5(12.0 * slow('silo')),
      exposure: 'single',
      stablecoin: true,
      poolMeta: null,
    });
    extra('rewards-usdt', {
      project: 'merkl',
      chain: 'Ethereum',
      symbol: 'USDT',
      tvlUsd: 4.0e7,
      apyBase: null,
      apyReward: 3.1,
      apy: 3.1,
      exposure: 'single',
      stablecoin: true,
      poolMeta: null,
    });
    return pools.sort((x, y) => y.tvlUsd - x.tvlUsd);
  }

  /** The 3-month T-bill rate (percent) of a day; null on a holiday (FRED's "."). Weekends have no row. */
  tbillOn(dayIndex: number): number | null {
    if (unit(this.seed, 'tbill:holiday', dayIndex) < 0.04) return null;
    return (
      Math.round(
        (4.3 +
          0.15 * valueNoise(this.seed, 'tbill', dayIndex, 10) +
          0.01 * signedUnit(this.seed, 'tbill:d', dayIndex)) *
          100,
      ) / 100
    );
  }
}

export { DAY };
