// Response bodies of the simulated REST APIs, in the exact shapes of the real ones (field sets copied
// from the captures in reference/upstream-samples).
import { ASSETS, assetByTicker, splitPair, type AssetSpec } from './catalog';
import { DAY, type Market } from './market';
import { unit } from './prng';

const HOUR = 3_600_000;

// ---------- CryptoCompare /data/pricemultifull ----------

function ccRound(x: number): number {
  return x >= 100 ? Math.round(x * 100) / 100 : Math.round(x * 1e6) / 1e6;
}

function ccDisplayMoney(prefix: string, x: number): string {
  return `${prefix} ${x.toLocaleString('en-US', { maximumFractionDigits: x >= 100 ? 1 : 4 })}`;
}

export type CryptoCompareBody = Record<string, unknown>;

export function cryptoCompareError(message: string): CryptoCompareBody {
  return { Response: 'Error', Message: message, HasWarning: false, Type: 1, RateLimit: {}, Data: {}, Cooldown: 0 };
}

/** Prices in USD, or in another simulated asset ("USDT"); unknown fsyms are left out, none known is an error. */
export function cryptoCompareBody(
  market: Market,
  fsyms: readonly string[],
  tsyms: readonly string[],
  t: number,
): CryptoCompareBody {
  const raw: Record<string, Record<string, unknown>> = {};
  const display: Record<string, Record<string, unknown>> = {};
  const lastUpdate = Math.floor(t / 1000);
  for (const fsym of fsyms) {
    const asset = assetByTicker(fsym);
    if (asset === undefined) continue;
    for (const tsym of tsyms) {
      const quoteAsset = tsym.toUpperCase() === 'USD' ? null : assetByTicker(tsym);
      if (quoteAsset === undefined) continue;
      const priceAt = (at: number): number =>
        market.venuePrice(asset.symbol, 'cryptocompare', at) /
        (quoteAsset === null ? 1 : market.venuePrice(quoteAsset.symbol, 'cryptocompare', at));
      const price = ccRound(priceAt(t));
      const open24 = ccRound(priceAt(t - DAY));
      const openHour = ccRound(priceAt(t - HOUR));
      const samples = Array.from({ length: 25 }, (_, i) => priceAt(t - i * HOUR));
      const high = ccRound(Math.max(...samples));
      const low = ccRound(Math.min(...samples));
      const volumeTo = market.volume24hUsd(asset.symbol, 'cryptocompare', t);
      const volume = volumeTo / price;
      const supply = asset.marketCapUsd / asset.basePrice;
      const tsymKey = tsym.toUpperCase();
      const fsymKey = asset.tickerSymbol;
      (raw[fsymKey] ??= {})[tsymKey] = {
        TYPE: '5',
        MARKET: 'CCCAGG',
        FROMSYMBOL: fsymKey,
        TOSYMBOL: tsymKey,
        FLAGS: '2050',
        PRICE: price,
        LASTUPDATE: lastUpdate,
        MEDIAN: price,
        LASTVOLUME: 1250.5,
        LASTVOLUMETO: 1250.5 * price,
        LASTTRADEID: String(Math.floor(t / 100)),
        VOLUMEDAY: volume * 0.8,
        VOLUMEDAYTO: volumeTo * 0.8,
        VOLUME24HOUR: volume,
        VOLUME24HOURTO: volumeTo,
        OPENDAY: open24,
        HIGHDAY: high,
        LOWDAY: low,
        OPEN24HOUR: open24,
        HIGH24HOUR: high,
        LOW24HOUR: low,
        LASTMARKET: 'Coinbase',
        VOLUMEHOUR: volume / 24,
        VOLUMEHOURTO: volumeTo / 24,
        OPENHOUR: openHour,
        HIGHHOUR: Math.max(openHour, price),
        LOWHOUR: Math.min(openHour, price),
        TOPTIERVOLUME24HOUR: volume * 0.9,
        TOPTIERVOLUME24HOURTO: volumeTo * 0.9,
        CHANGE24HOUR: price - open24,
        CHANGEPCT24HOUR: ((price - open24) / open24) * 100,
        CHANGEDAY: price - open24,
        CHANGEPCTDAY: ((price - open24) / open24) * 100,
        CHANGEHOUR: price - openHour,
        CHANGEPCTHOUR: ((price - openHour) / openHour) * 100,
        CONVERSIONTYPE: 'direct',
        CONVERSIONSYMBOL: '',
        SUPPLY: supply,
        MKTCAP: supply * price,
        MKTCAPPENALTY: 0,
        TOTALVOLUME24H: volume * 4,
        TOTALVOLUME24HTO: volumeTo * 4,
        TOTALTOPTIERVOLUME24H: volume * 3.8,
        TOTALTOPTIERVOLUME24HTO: volumeTo * 3.8,
        IMAGEURL: `/media/sim/${fsymKey.toLowerCase()}.png`,
      };
      const sign = quoteAsset === null ? '$' : tsymKey;
      (display[fsymKey] ??= {})[tsymKey] = {
        FROMSYMBOL: fsymKey,
        TOSYMBOL: sign,
        MARKET: 'CryptoCompare Index',
        PRICE: ccDisplayMoney(sign, price),
        LASTUPDATE: 'Just now',
        VOLUME24HOURTO: ccDisplayMoney(sign, volumeTo),
        OPEN24HOUR: ccDisplayMoney(sign, open24),
        HIGH24HOUR: ccDisplayMoney(sign, high),
        LOW24HOUR: ccDisplayMoney(sign, low),
        MKTCAP: `${sign} ${((supply * price) / 1e9).toFixed(2)} B`,
      };
    }
  }
  if (Object.keys(raw).length === 0) {
    return cryptoCompareError(
      `cccagg_or_exchange market does not exist for this coin pair (${fsyms[0] ?? ''}-${tsyms[0] ?? ''})`,
    );
  }
  return { RAW: raw, DISPLAY: display };
}

// ---------- Binance /api/v3/ticker/24hr and /api/v3/depth ----------

export const BINANCE_INVALID_SYMBOL = { code: -1121, msg: 'Invalid symbol.' };

function tickSize(price: number): number {
  return 10 ** (Math.floor(Math.log10(price)) - 4);
}

/** Binance writes 8 decimals. */
const fmt8 = (x: number): string => x.toFixed(8);

function pairPrice(market: Market, base: AssetSpec, quote: AssetSpec, t: number): number {
  return market.venuePrice(base.symbol, 'binance', t) / market.venuePrice(quote.symbol, 'binance', t);
}

export function binanceTicker(market: Market, pair: string, t: number): Record<string, unknown> | null {
  const assets = splitPair(pair);
  if (assets === undefined) return null;
  const { base, quote } = assets;
  const p0 = pairPrice(market, base, quote, t);
  const tick = tickSize(p0);
  const onTick = (x: number): number => Math.round(x / tick) * tick;
  const last = onTick(p0);
  const open = onTick(pairPrice(market, base, quote, t - DAY));
  const samples = Array.from({ length: 25 }, (_, i) => onTick(pairPrice(market, base, quote, t - i * HOUR)));
  const quoteVolume = market.volume24hUsd(base.symbol, 'binance', t);
  const volume = quoteVolume / last;
  const spread = tick;
  const firstId = Math.floor((t - DAY) / 50);
  const lastId = Math.floor(t / 50);
  return {
    symbol: base.tickerSymbol + quote.tickerSymbol,
    priceChange: fmt8(last - open),
    priceChangePercent: (((last - open) / open) * 100).toFixed(3),
    weightedAvgPrice: fmt8((last + open) / 2),
    prevClosePrice: fmt8(open),
    lastPrice: fmt8(last),
    lastQty: fmt8(1500),
    bidPrice: fmt8(Math.max(tick, last - spread)),
    bidQty: fmt8(250000),
    askPrice: fmt8(last),
    askQty: fmt8(310000),
    openPrice: fmt8(open),
    highPrice: fmt8(Math.max(...samples)),
    lowPrice: fmt8(Math.min(...samples)),
    volume: fmt8(volume),
    quoteVolume: fmt8(quoteVolume),
    openTime: t - DAY,
    closeTime: t,
    firstId,
    lastId,
    count: lastId - firstId + 1,
  };
}

/** Depth: price levels one tick apart from the mid, sizes decaying away from it (a new book each second). */
export function binanceDepth(market: Market, pair: string, limit: number, t: number): Record<string, unknown> | null {
  const assets = splitPair(pair);
  if (assets === undefined) return null;
  const { base, quote } = assets;
  const mid = pairPrice(market, base, quote, t);
  const tick = tickSize(mid);
  const bestBid = Math.floor(mid / tick) * tick;
  // Notional at the top of the book, in quote units: a small share of daily turnover.
  const topNotional = market.volume24hUsd(base.symbol, 'binance', t) / 4000;
  const second = Math.floor(t / 1000);
  const side = (best: number, direction: 1 | -1, key: string): [string, string][] => {
    const levels: [string, string][] = [];
    for (let i = 0; i < limit; i++) {
      const price = best + direction * i * tick;
      if (price <= 0) break;
      const jitter = 0.6 + 0.8 * unit(market.seed, `${key}:${pair}:${second}`, i);
      levels.push([fmt8(price), fmt8(((topNotional * Math.exp(-i / 12)) / price) * jitter)]);
    }
    return levels;
  };
  return { lastUpdateId: Math.floor(t / 100), bids: side(bestBid, -1, 'bid'), asks: side(bestBid + tick, 1, 'ask') };
}

// ---------- DefiLlama yields /pools and stablecoins /stablecoins ----------

export function defiLlamaPoolsBody(market: Market, t: number): { status: 'success'; data: Record<string, unknown>[] } {
  return {
    status: 'success',
    data: market.pools(t).map((p) => ({
      chain: p.chain,
      project: p.project,
      symbol: p.symbol,
      tvlUsd: p.tvlUsd,
      apyBase: p.apyBase,
      apyReward: p.apyReward,
      apy: p.apy,
      rewardTokens: p.apyReward === null ? null : ['0x0000000000000000000000000000000000000001'],
      pool: p.pool,
      apyPct1D: 0.01,
      apyPct7D: -0.02,
      apyPct30D: 0.05,
      stablecoin: p.stablecoin,
      ilRisk: p.exposure === 'single' ? 'no' : 'yes',
      exposure: p.exposure,
      predictions: { predictedClass: 'Stable/Up', predictedProbability: 70, binnedConfidence: 2 },
      poolMeta: p.poolMeta,
      mu: p.apy,
      sigma: 0.05,
      count: 400,
      outlier: false,
      underlyingTokens: null,
      il7d: null,
      apyBase7d: null,
      apyMean30d: p.apy,
      volumeUsd1d: null,
      volumeUsd7d: null,
      apyBaseInception: null,
    })),
  };
}

export function defiLlamaStablecoinsBody(market: Market, t: number, includePrices: boolean): Record<string, unknown> {
  const stables = ASSETS.filter((a) => a.stablecoin);
  const peggedAssets = stables.map((a, i) => {
    const cap = market.marketCapUsd(a.symbol, t);
    const asset: Record<string, unknown> = {
      id: String(i + 1),
      name: a.name,
      symbol: a.symbol,
      gecko_id: a.name.toLowerCase().replace(/\s+/g, '-'),
      pegType: 'peggedUSD',
      priceSource: 'defillama',
      pegMechanism: a.symbol === 'DAI' || a.symbol === 'USDe' ? 'crypto-backed' : 'fiat-backed',
      circulating: { peggedUSD: cap },
      circulatingPrevDay: { peggedUSD: market.marketCapUsd(a.symbol, t - DAY) },
      circulatingPrevWeek: { peggedUSD: market.marketCapUsd(a.symbol, t - 7 * DAY) },
      circulatingPrevMonth: { peggedUSD: market.marketCapUsd(a.symbol, t - 30 * DAY) },
      chainCirculating: {
        Ethereum: { current: { peggedUSD: cap * 0.6 }, circulatingPrevDay: { peggedUSD: cap * 0.6 } },
      },
      chains: ['Ethereum', 'Tron', 'BSC', 'Solana'],
    };
    if (includePrices) asset['price'] = Math.round(market.fairPrice(a.symbol, t) * 1e6) / 1e6;
    return asset;
  });
  // A second asset with a constituent-like symbol and a small supply, as on the real list (several USDS).
  peggedAssets.push({
    id: '999',
    name: 'Sim Dollar',
    symbol: 'USDS',
    gecko_id: null,
    pegType: 'peggedUSD',
    priceSource: 'defillama',
    pegMechanism: 'algorithmic',
    circulating: { peggedUSD: 1.8e7 },
    circulatingPrevDay: { peggedUSD: 1.8e7 },
    circulatingPrevWeek: { peggedUSD: 1.8e7 },
    circulatingPrevMonth: { peggedUSD: 1.8e7 },
    chainCirculating: {},
    chains: ['Ethereum'],
    ...(includePrices ? { price: null } : {}),
  });
  return {
    peggedAssets,
    chains: [
      {
        gecko_id: null,
        totalCirculatingUSD: { peggedUSD: stables.reduce((s, a) => s + market.marketCapUsd(a.symbol, t), 0) },
        tokenSymbol: null,
        name: 'Ethereum',
      },
    ],
  };
}

// ---------- FRED /fred/series/observations ----------

export const FRED_SERIES = ['DGS3MO', 'DTB3'] as const;

export interface FredQuery {
  seriesId: string;
  observationStart?: string;
  observationEnd?: string;
  sortOrder?: 'asc' | 'desc';
  limit?: number;
}

const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export function fredError(message: string): { error_code: number; error_message: string } {
  return { error_code: 400, error_message: `Bad Request.  ${message}` };
}

/** Daily observations on business days up to the day before t (FRED's publication lag); holidays are ".". */
export function fredObservationsBody(market: Market, q: FredQuery, t: number): Record<string, unknown> {
  const today = isoDate(t);
  const lastDay = Math.floor(t / DAY) - 1;
  const start = q.observationStart ?? isoDate((lastDay - 60) * DAY);
  const end = q.observationEnd ?? '9999-12-31';
  const rows: { realtime_start: string; realtime_end: string; date: string; value: string }[] = [];
  const firstDay = Math.floor(Date.parse(`${start}T00:00:00Z`) / DAY);
  for (let day = firstDay; day <= lastDay; day++) {
    const date = isoDate(day * DAY);
    if (date > end) break;
    const weekday = new Date(day * DAY).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const rate = market.tbillOn(day);
    // DTB3 (discount basis) sits a little below DGS3MO (investment basis).
    const value = rate === null ? '.' : (q.seriesId === 'DTB3' ? rate - 0.1 : rate).toFixed(2);
    rows.push({ realtime_start: today, realtime_end: today, date, value });
  }
  if (q.sortOrder === 'desc') rows.reverse();
  const limit = q.limit ?? 100000;
  const observations = rows.slice(0, limit);
  return {
    realtime_start: today,
    realtime_end: today,
    observation_start: start,
    observation_end: end,
    units: 'lin',
    output_type: 1,
    file_type: 'json',
    order_by: 'observation_date',
    sort_order: q.sortOrder ?? 'asc',
    count: rows.length,
    offset: 0,
    limit,
    observations,
  };
}
