// Topic records with exactly the field names of methodology SYI-v1 §1 (the JSON form of each Kafka
// value; `ts` in ms since the epoch), plus the `pyth.updates` record the keeper consumes.

export interface PythPriceRecord {
  symbol: string;
  feedId: string;
  price: number;
  conf: number;
  publishTime: number;
  ts: number;
}

/** One feed of a Hermes event, with Pyth's raw integers kept as strings (the keeper compares them exactly). */
export interface PythUpdateFeed {
  feedId: string;
  /** null when the feed id is not in the configured id → symbol map. */
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

/** The whole Hermes event: the binary payloads to submit on-chain and the feeds they carry. */
export interface PythUpdateRecord {
  encoding: 'hex' | 'base64';
  data: string[];
  feeds: PythUpdateFeed[];
  /** Wall-clock time the ingester received the event (ms). */
  receivedAt: number;
  /** Largest publish time of the feeds, in ms (receivedAt when the event carried no parsed feeds). */
  ts: number;
}

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
