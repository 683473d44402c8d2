/** TypeScript shapes of the topic values (the JSON form of each Avro record). */
export interface PythPrice {
  symbol: string;
  feedId: string;
  price: number;
  conf: number;
  publishTime: number;
  ts: number;
}
export interface PythUpdateFeed {
  feedId: string;
  symbol: string | null;
  price: string;
  conf: string;
  expo: number;
  publishTime: number;
  emaPrice: string;
  emaConf: string;
  slot: number | null;
  prevPublishTime: number | null;
}
export interface PythUpdate {
  encoding: string;
  data: string[];
  feeds: PythUpdateFeed[];
  receivedAt: number;
  ts: number;
}
export interface VenuePrice {
  symbol: string;
  venue: string;
  price: number;
  volume24hUsd: number | null;
  ts: number;
}
export type Level = [price: number, qty: number];
export interface OrderBook {
  symbol: string;
  venue: string;
  bids: Level[];
  asks: Level[];
  ts: number;
}
export interface PoolApy {
  pool: string;
  project: string;
  chain: string;
  symbol: string;
  tvlUsd: number;
  apyBase: number | null;
  apyReward: number | null;
  apy: number | null;
  ts: number;
}
export interface MarketCap {
  symbol: string;
  marketCapUsd: number;
  ts: number;
}
export interface TbillRate {
  series: string;
  rate: number;
  date: string;
  ts: number;
}
export interface PegMeasure {
  symbol: string;
  ts: number;
  price: number | null;
  devBps: number | null;
  pegScore: number | null;
  sigmaBps: number | null;
  sampleCount: number;
  methodologyVersion: string;
}
export interface LiquidityMeasure {
  symbol: string;
  ts: number;
  depthUsd: number;
  volume24hUsd: number;
  marketCapUsd: number | null;
  liquidityScore: number | null;
  methodologyVersion: string;
}
export interface RayMeasure {
  symbol: string;
  ts: number;
  apyEff: number | null;
  pegScore: number | null;
  liquidityScore: number | null;
  counterpartyScore: number;
  rayNormal: number | null;
  rayHighVol: number | null;
  methodologyVersion: string;
}
export interface SyiConstituent {
  symbol: string;
  weight: number;
  ray: number;
  apyEff: number;
  pegScore: number;
  liquidityScore: number;
  counterpartyScore: number;
  price: number;
  devBps: number;
  sigmaBps: number;
  marketCapUsd: number;
  depthUsd: number;
  volume24hUsd: number;
}
export interface SyiRecord {
  ts: number;
  value: number;
  tbillRate: number | null;
  rpl: number | null;
  mode: 'normal' | 'high-vol';
  eligible: number;
  constituents: SyiConstituent[];
  methodologyVersion: string;
  inputsDigest: string;
  prevDigest: string | null;
  digest: string;
}

/** Value type per topic, so producers and consumers are typed by topic name. */
export interface TopicValues {
  'pyth.updates': PythUpdate;
  'pyth.prices': PythPrice;
  'cc.prices': VenuePrice;
  'cc.orderbook': OrderBook;
  'dl.apy': PoolApy;
  'ex.mktcap': MarketCap;
  'trad.tbill': TbillRate;
  'syi.peg': PegMeasure;
  'syi.liquidity': LiquidityMeasure;
  'ray.calculated': RayMeasure;
  'syi.calculated': SyiRecord;
}
export type DataTopic = keyof TopicValues;
