import type { PegMeasure, PoolApy, SyiConstituent, SyiRecord } from '@stableyield/schemas';
import type { Queryable } from './db';

/**
 * Every SQL statement of the API, against the relations of libs/postgres (`syi_index`, its
 * aggregates `syi_index_<interval>`, `syi_constituents`, `syi_peg`, `dl_apy`, `tbill`).
 * Times are `timestamptz` in the database and epoch milliseconds everywhere else.
 */

export const INTERVALS = ['1m', '5m', '1h', '1d'] as const;
export type Interval = (typeof INTERVALS)[number];

export const INTERVAL_MS: Record<Interval, number> = { '1m': 60_000, '5m': 300_000, '1h': 3_600_000, '1d': 86_400_000 };

/** The aggregate relation of each interval (names fixed here, never built from input). */
const AGGREGATE: Record<Interval, string> = {
  '1m': 'syi_index_1m',
  '5m': 'syi_index_5m',
  '1h': 'syi_index_1h',
  '1d': 'syi_index_1d',
};

export interface OhlcPoint {
  /** Start of the bucket, epoch ms. */
  bucket: number;
  open: number;
  high: number;
  low: number;
  close: number;
  avg: number;
  samples: number;
}

const ms = (d: Date | string): number => (d instanceof Date ? d.getTime() : Date.parse(d));
const iso = (t: number): string => new Date(t).toISOString();

type OhlcRow = {
  bucket: Date;
  open: number;
  high: number;
  low: number;
  close: number;
  avg: number;
  samples: string | number;
};
const ohlcOf = (r: OhlcRow): OhlcPoint => ({
  bucket: ms(r.bucket),
  open: r.open,
  high: r.high,
  low: r.low,
  close: r.close,
  avg: r.avg,
  samples: Number(r.samples),
});

/** OHLC buckets whose start lies in [from, to), oldest first. */
export async function indexHistory(db: Queryable, interval: Interval, from: number, to: number): Promise<OhlcPoint[]> {
  const { rows } = await db.query<OhlcRow>(
    `SELECT bucket, open, high, low, close, avg, samples FROM ${AGGREGATE[interval]} WHERE ` +
      `bucket >= $1 AND bucket < $2 ORDER BY bucket`,
    [iso(from), iso(to)],
  );
  return rows.map(ohlcOf);
}

/** OHLC buckets whose start is at or after `from`, oldest first: the open bucket and what is not cached yet. */
export async function indexHistorySince(db: Queryable, interval: Interval, from: number): Promise<OhlcPoint[]> {
  const { rows } = await db.query<OhlcRow>(
    `SELECT bucket, open, high, low, close, avg, samples FROM ${AGGREGATE[interval]} WHERE ` +
      `bucket >= $1 ORDER BY bucket`,
    [iso(from)],
  );
  return rows.map(ohlcOf);
}

/** `ts` of the newest index record (its bucket is the open one), null when none is stored. */
export async function newestIndexTs(db: Queryable): Promise<number | null> {
  const { rows } = await db.query<{ newest: Date | null }>('SELECT max(ts) AS newest FROM syi_index');
  const newest = rows[0]?.newest;
  return newest ? ms(newest) : null;
}

interface IndexRow {
  ts: Date;
  value: number;
  tbill_rate: number | null;
  rpl: number | null;
  mode: 'normal' | 'high-vol';
  eligible: number;
  methodology_version: string;
  inputs_digest: string;
  prev_digest: string | null;
  digest: string;
  constituents: SyiConstituent[];
}

const INDEX_COLUMNS =
  'ts, value, tbill_rate, rpl, mode, eligible, methodology_version, inputs_digest, prev_digest, digest, constituents';

const recordOf = (r: IndexRow): SyiRecord => ({
  ts: ms(r.ts),
  value: r.value,
  tbillRate: r.tbill_rate,
  rpl: r.rpl,
  mode: r.mode,
  eligible: r.eligible,
  constituents: r.constituents,
  methodologyVersion: r.methodology_version,
  inputsDigest: r.inputs_digest,
  prevDigest: r.prev_digest,
  digest: r.digest,
});

/** Index records with ts in [from, to], oldest first, at most `limit`. */
export async function indexRecords(db: Queryable, from: number, to: number, limit: number): Promise<SyiRecord[]> {
  const { rows } = await db.query<IndexRow>(
    `SELECT ${INDEX_COLUMNS} FROM syi_index WHERE ts >= $1 AND ts <= $2 ORDER BY ts LIMIT $3`,
    [iso(from), iso(to), limit],
  );
  return rows.map(recordOf);
}

/** The newest index record strictly before `ts` (the link the first record of a range points to). */
export async function indexRecordBefore(db: Queryable, ts: number): Promise<SyiRecord | null> {
  const { rows } = await db.query<IndexRow>(
    `SELECT ${INDEX_COLUMNS} FROM syi_index WHERE ts < $1 ORDER BY ts DESC LIMIT 1`,
    [iso(ts)],
  );
  return rows[0] ? recordOf(rows[0]) : null;
}

/** A constituent's row at `ts`: its SyiConstituent fields without the symbol. */
export type ConstituentPoint = Omit<SyiConstituent, 'symbol'> & { ts: number };

/** One constituent's rows with ts in [from, to], newest first, at most `limit`. */
export async function constituentHistory(
  db: Queryable,
  symbol: string,
  from: number,
  to: number,
  limit: number,
): Promise<ConstituentPoint[]> {
  const { rows } = await db.query<{
    ts: Date;
    weight: number;
    ray: number;
    apy_eff: number;
    peg_score: number;
    liquidity_score: number;
    counterparty_score: number;
    price: number;
    dev_bps: number;
    sigma_bps: number;
    market_cap_usd: number;
    depth_usd: number;
    volume_24h_usd: number;
  }>(
    'SELECT ts, weight, ray, apy_eff, peg_score, liquidity_score, counterparty_score, price, dev_bps, sigma_bps, ' +
      `market_cap_usd, depth_usd, volume_24h_usd
     FROM syi_constituents WHERE symbol = $1 AND ts >= $2 AND ts <= $3 ORDER BY ts DESC LIMIT $4`,
    [symbol, iso(from), iso(to), limit],
  );
  return rows.map((r) => ({
    ts: ms(r.ts),
    weight: r.weight,
    ray: r.ray,
    apyEff: r.apy_eff,
    pegScore: r.peg_score,
    liquidityScore: r.liquidity_score,
    counterpartyScore: r.counterparty_score,
    price: r.price,
    devBps: r.dev_bps,
    sigmaBps: r.sigma_bps,
    marketCapUsd: r.market_cap_usd,
    depthUsd: r.depth_usd,
    volume24hUsd: r.volume_24h_usd,
  }));
}

/** A symbol's newest peg row: the syi.peg record. */
export type PegPoint = PegMeasure;

/** The newest peg measure of a symbol. */
export async function latestPeg(db: Queryable, symbol: string): Promise<PegPoint | null> {
  const { rows } = await db.query<{
    symbol: string;
    ts: Date;
    price: number | null;
    dev_bps: number | null;
    peg_score: number | null;
    sigma_bps: number | null;
    sample_count: number;
    methodology_version: string;
  }>(
    'SELECT symbol, ts, price, dev_bps, peg_score, sigma_bps, sample_count, ' +
      'methodology_version FROM syi_peg WHERE symbol = $1 ORDER BY ts DESC LIMIT 1',
    [symbol],
  );
  const r = rows[0];
  return r
    ? {
        symbol: r.symbol,
        ts: ms(r.ts),
        price: r.price,
        devBps: r.dev_bps,
        pegScore: r.peg_score,
        sigmaBps: r.sigma_bps,
        sampleCount: r.sample_count,
        methodologyVersion: r.methodology_version,
      }
    : null;
}

/** A pool's newest yields: the dl.apy record's fields. */
export type PoolYield = PoolApy;

/** The newest record of every pool seen since `since` (optionally of one symbol), largest TVL first. */
export async function latestYields(db: Queryable, since: number, symbol: string | undefined): Promise<PoolYield[]> {
  const { rows } = await db.query<{
    pool: string;
    project: string;
    chain: string;
    symbol: string;
    tvl_usd: number;
    apy_base: number | null;
    apy_reward: number | null;
    apy: number | null;
    ts: Date;
  }>(
    `SELECT * FROM (
       SELECT DISTINCT ON (pool) pool, project, chain, symbol, tvl_usd, apy_base, apy_reward, apy, ts
       FROM dl_apy WHERE ts >= $1 AND ($2::text IS NULL OR symbol = $2) ORDER BY pool, ts DESC
     ) latest ORDER BY tvl_usd DESC, pool`,
    [iso(since), symbol ?? null],
  );
  return rows.map((r) => ({
    pool: r.pool,
    project: r.project,
    chain: r.chain,
    symbol: r.symbol,
    tvlUsd: r.tvl_usd,
    apyBase: r.apy_base,
    apyReward: r.apy_reward,
    apy: r.apy,
    ts: ms(r.ts),
  }));
}

export interface TbillPoint {
  series: string;
  date: string;
  rate: number;
  ts: number;
}

/** The newest T-bill observations, newest first. */
export async function tbillHistory(db: Queryable, limit: number): Promise<TbillPoint[]> {
  const { rows } = await db.query<{ series: string; date: string; rate: number; ts: Date }>(
    "SELECT series, to_char(date, 'YYYY-MM-DD') AS date, rate, ts FROM tbill ORDER BY date DESC, series LIMIT $1",
    [limit],
  );
  return rows.map((r) => ({ series: r.series, date: r.date, rate: r.rate, ts: ms(r.ts) }));
}

/** Cheap round trip for readiness. */
export async function ping(db: Queryable): Promise<void> {
  await db.query('SELECT 1');
}
