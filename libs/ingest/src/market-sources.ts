// The upstream calls of ingest-market and how each body becomes topic records. Every body is validated by
// the libs/upstream mappers (zod) before anything is published; the URL used in logs and DLQ headers
// never carries an API key (keys go in headers, or are masked when the API wants them in the query).
import { type OutgoingRecord } from '@stableyield/kafka';
import { type DataTopic, type TopicValues } from '@stableyield/schemas';
import {
  mapBinanceDepth,
  mapBinanceTicker24hr,
  mapCryptoComparePriceMultiFull,
  mapDefiLlamaPools,
  mapDefiLlamaStablecoins,
  mapFredObservations,
  ok,
  type BinancePair,
  type CcPriceRecord,
  type ParseResult,
} from '@stableyield/upstream';
import { redactUrl } from './hermes-client';

/** The `source` label of the ingest metrics. */
export type MetricSource = 'cryptocompare' | 'binance' | 'defillama' | 'fred';

export type TopicBatch = { [T in DataTopic]: { topic: T; records: OutgoingRecord<T>[] } }[DataTopic];

export interface MarketCall {
  /** Names the call in logs, e.g. "binance-depth-USDCUSDT". */
  name: string;
  source: MetricSource;
  url: string;
  /** `url` with keys masked: logs and DLQ headers. */
  logUrl: string;
  headers: Readonly<Record<string, string>>;
  /** Topic whose `.dlq` receives an invalid body. */
  topic: DataTopic;
  map(payload: unknown, fetchedAt: number): ParseResult<TopicBatch[]>;
  /** Extra pause the answer asks for (Binance's used weight close to the limit), ms. */
  throttle?(headers: Headers, now: number): number | null;
}

function call(spec: Omit<MarketCall, 'logUrl'>): MarketCall {
  return { ...spec, logUrl: redactUrl(spec.url) };
}

const join = (base: string, path: string) => `${base.replace(/\/+$/, '')}${path}`;

const venueKey = (r: { symbol: string; venue: string }) => `${r.symbol}-${r.venue}`;

/** libs/upstream leaves volume out when unknown; the Avro record holds null. */
function venuePrices(records: readonly CcPriceRecord[]): TopicBatch {
  return {
    topic: 'cc.prices',
    records: records.map((r) => ({
      key: venueKey(r),
      value: { symbol: r.symbol, venue: r.venue, price: r.price, volume24hUsd: r.volume24hUsd ?? null, ts: r.ts },
      timestamp: r.ts,
    })),
  };
}

export interface CryptoCompareSettings {
  baseUrl: string;
  apiKey?: string | undefined;
  /** CryptoCompare ticker → constituent symbol (USDE → USDe). */
  symbols: Readonly<Record<string, string>>;
}

/**
 * A record stamped with the time the ingester observed it. Sources whose own times are coarse or
 * behind (CryptoCompare's LASTUPDATE in whole seconds, FRED's observation day, published a day
 * or more later) would otherwise arrive behind the processors' watermark, which the other inputs
 * move in milliseconds of real time: they would be dead-lettered as late instead of counted.
 */
export function observedAt<T extends { ts: number }>(record: T, fetchedAt: number): T {
  return { ...record, ts: fetchedAt };
}

export function cryptoCompareCalls(s: CryptoCompareSettings): MarketCall[] {
  const fsyms = Object.keys(s.symbols).join(',');
  return [
    call({
      name: 'cryptocompare-pricemultifull',
      source: 'cryptocompare',
      url: join(s.baseUrl, `/data/pricemultifull?fsyms=${encodeURIComponent(fsyms)}&tsyms=USD`),
      headers: s.apiKey === undefined ? {} : { authorization: `Apikey ${s.apiKey}` },
      topic: 'cc.prices',
      map: (payload, fetchedAt) => {
        const result = mapCryptoComparePriceMultiFull(payload, { tsym: 'USD', symbols: s.symbols });
        // Event time = when we observed the quote (see observedAt); LASTUPDATE is whole seconds.
        return result.ok ? ok([venuePrices(result.records.map((r) => observedAt(r, fetchedAt)))]) : result;
      },
    }),
  ];
}

export interface BinanceSettings {
  baseUrl: string;
  apiKey?: string | undefined;
  pairs: readonly BinancePair[];
  depthLimit: number;
  /** REQUEST_WEIGHT per minute (6000 on Binance); near it, calls pause until the next minute. */
  weightLimitPerMinute: number;
}

/** Pause until the next minute when `X-MBX-USED-WEIGHT-1M` is at 90 % of the limit. */
export function binanceWeightPause(headers: Headers, limit: number, now: number): number | null {
  const used = Number(headers.get('x-mbx-used-weight-1m'));
  if (!Number.isFinite(used) || used < 0.9 * limit) return null;
  return 60_000 - (now % 60_000);
}

export function binanceCalls(s: BinanceSettings): MarketCall[] {
  const headers = s.apiKey === undefined ? {} : { 'x-mbx-apikey': s.apiKey };
  const throttle = (h: Headers, now: number) => binanceWeightPause(h, s.weightLimitPerMinute, now);
  const uniquePairs = [...new Set(s.pairs.map((p) => p.pair))];
  const ticker = call({
    name: 'binance-ticker-24hr',
    source: 'binance',
    url: join(s.baseUrl, `/api/v3/ticker/24hr?symbols=${encodeURIComponent(JSON.stringify(uniquePairs))}`),
    headers,
    topic: 'cc.prices',
    throttle,
    map: (payload) => {
      const result = mapBinanceTicker24hr(payload, s.pairs);
      return result.ok ? ok([venuePrices(result.records)]) : result;
    },
  });
  const depths = uniquePairs.map((pair) =>
    call({
      name: `binance-depth-${pair}`,
      source: 'binance',
      url: join(s.baseUrl, `/api/v3/depth?symbol=${encodeURIComponent(pair)}&limit=${s.depthLimit}`),
      headers,
      topic: 'cc.orderbook',
      throttle,
      map: (payload, fetchedAt) => {
        const records: OutgoingRecord<'cc.orderbook'>[] = [];
        for (const p of s.pairs.filter((candidate) => candidate.pair === pair)) {
          const result = mapBinanceDepth(payload, p, fetchedAt);
          if (!result.ok) return result;
          records.push({ key: venueKey(result.records), value: result.records, timestamp: fetchedAt });
        }
        return ok([{ topic: 'cc.orderbook', records }]);
      },
    }),
  );
  return [ticker, ...depths];
}

export interface DefiLlamaSettings {
  baseUrl: string;
  /** Constituent symbols (exact DefiLlama spelling). */
  symbols: readonly string[];
}

/** One DefiLlama endpoint whose records all go to `topic`, each keyed by `keyOf`. */
function defiLlamaCall<T extends 'dl.apy' | 'ex.mktcap'>(
  name: string,
  url: string,
  topic: T,
  mapPayload: (payload: unknown, fetchedAt: number) => ParseResult<TopicValues[T][]>,
  keyOf: (record: TopicValues[T]) => string,
): MarketCall {
  return call({
    name,
    source: 'defillama',
    url,
    headers: {},
    topic,
    map: (payload, fetchedAt) => {
      const result = mapPayload(payload, fetchedAt);
      if (!result.ok) return result;
      const records = result.records.map((r) => ({ key: keyOf(r), value: r, timestamp: r.ts }));
      return ok([{ topic, records } as TopicBatch]);
    },
  });
}

export function defiLlamaYieldsCalls(s: DefiLlamaSettings): MarketCall[] {
  const map = (payload: unknown, fetchedAt: number) => mapDefiLlamaPools(payload, { symbols: s.symbols, fetchedAt });
  return [defiLlamaCall('defillama-pools', join(s.baseUrl, '/pools'), 'dl.apy', map, (r) => r.pool)];
}

export function defiLlamaStablecoinsCalls(s: DefiLlamaSettings): MarketCall[] {
  const map = (payload: unknown, fetchedAt: number) =>
    mapDefiLlamaStablecoins(payload, { symbols: s.symbols, fetchedAt });
  const url = join(s.baseUrl, '/stablecoins?includePrices=true');
  return [defiLlamaCall('defillama-stablecoins', url, 'ex.mktcap', map, (r) => r.symbol)];
}

export interface FredSettings {
  baseUrl: string;
  apiKey: string;
  series: string;
}

/** FRED wants the key in the query; logUrl masks it. */
export function fredCalls(s: FredSettings): MarketCall[] {
  const query = new URLSearchParams({
    series_id: s.series,
    api_key: s.apiKey,
    file_type: 'json',
    sort_order: 'desc',
    limit: '30',
  });
  return [
    call({
      name: `fred-${s.series}`,
      source: 'fred',
      url: join(s.baseUrl, `/fred/series/observations?${query.toString()}`),
      headers: {},
      topic: 'trad.tbill',
      map: (payload, fetchedAt) => {
        const result = mapFredObservations(payload, s.series);
        if (!result.ok) return result;
        // The observation's own day stays in `date`; its event time is when we learned it.
        const record = observedAt(result.records, fetchedAt);
        return ok([{ topic: 'trad.tbill', records: [{ key: 'yield-3m', value: record, timestamp: record.ts }] }]);
      },
    }),
  ];
}
