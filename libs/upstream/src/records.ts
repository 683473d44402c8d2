// Topic records with exactly the field names of methodology SYI-v1 §1 (the JSON form of each Kafka
// value; `ts` in ms since the epoch), under the names the upstream mappers use. They are
// @stableyield/schemas' own types, one shape from the upstream to the topic, except a CryptoCompare
// price: its volume is optional here where the topic value holds null.
import type { Level, MarketCap, OrderBook, PoolApy, TbillRate } from '@stableyield/schemas';

export interface CcPriceRecord {
  symbol: string;
  venue: string;
  price: number;
  volume24hUsd?: number;
  ts: number;
}

export type BookLevel = Level;
export type CcOrderbookRecord = OrderBook;
export type DlApyRecord = PoolApy;
export type ExMktcapRecord = MarketCap;
export type TradTbillRecord = TbillRate;
