// Topic records with exactly the field names of methodology SYI-v1 §1 (the JSON form of each Kafka
// value; `ts` in ms since the epoch). The Pyth records are @stableyield/schemas' own types: one shape
// from Hermes to the keeper.

export interface CcPriceRecord {
  symbol: string;
  venue: string;
  price: number;
  volume24hUsd?: number;
  ts: number;
}

export type BookLevel = [price: number, qty: number];

export interface CcOrderbookRecord {
  symbol: string;
  venue: string;
  bids: BookLevel[];
  asks: BookLevel[];
  ts: number;
}

export interface DlApyRecord {
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

export interface ExMktcapRecord {
  symbol: string;
  marketCapUsd: number;
  ts: number;
}

export interface TradTbillRecord {
  series: string;
  rate: number;
  /** Observation date, YYYY-MM-DD. */
  date: string;
  ts: number;
}
