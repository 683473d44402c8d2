import type { Migration, StorageVariant } from './postgres-ddl';

/** What the migration needs of an aggregate (postgres-ddl's INDEX_AGGREGATES). */
export interface AggregateSpec {
  name: string;
  interval: string;
  /** How far back each refresh re-groups: the TimescaleDB policy's start offset. */
  refresh: { start: string };
}

/**
 * Read side of the index aggregates on plain PostgreSQL (migration 4). The views of migration 2
 * group the whole of `syi_index` on every query (a bucket filter cannot use the `ts` index), so
 * a history request cost a full scan. Each view now reads the complete buckets from a table
 * (`<aggregate>_rollup`, one row per bucket) below a watermark, and groups only the raw rows
 * from the watermark on — the same "materialised + real-time" shape as TimescaleDB's continuous
 * aggregates, with the same columns and results as before.
 *
 * `refresh_syi_index_aggregates()` moves the watermarks: for each aggregate it re-groups the
 * raw rows from `least(watermark, start of the newest row's bucket − look-back)` up to the start
 * of the newest row's bucket (which may still fill) and upserts them. `syi.calculated` is one
 * partition, so rows arrive in `ts` order; the look-back (the TimescaleDB refresh windows) takes
 * care of small disorder, and `refresh_syi_index_aggregates(since)` re-groups from `since` after
 * a backfill. Without any refresh the watermark stays at -infinity and a view is exactly the old
 * one. The API calls the function periodically; concurrent callers skip (advisory lock). On
 * TimescaleDB the function exists and does nothing: the continuous aggregates are materialised.
 */

const ORIGIN = "TIMESTAMPTZ '2000-01-01 00:00:00+00'";
const WATERMARKS = 'syi_index_aggregate_watermarks';
const REFRESH_LOCK = 7_231_002; // pg_try_advisory_xact_lock key of the refresh
const rollupTable = (name: string) => `${name}_rollup`;

/** The grouping of migration 2's views; `width` is SQL for the bucket width. */
const grouped = (width: string) =>
  `SELECT date_bin(${width}, ts, ${ORIGIN}) AS bucket,
       (array_agg(value ORDER BY ts))[1] AS open, max(value) AS high, min(value) AS low,
       (array_agg(value ORDER BY ts DESC))[1] AS close, avg(value) AS avg, count(*) AS samples
FROM syi_index`;

function partitionedSql(aggregates: readonly AggregateSpec[]): string[] {
  const watermarkOf = (name: string) => `(SELECT watermark FROM ${WATERMARKS} WHERE name = '${name}')`;
  const perAggregate = aggregates.flatMap((a) => [
    `CREATE TABLE IF NOT EXISTS ${rollupTable(a.name)} (
  bucket timestamptz PRIMARY KEY, open double precision NOT NULL, high double precision NOT NULL, ` +
      `low double precision NOT NULL,
  close double precision NOT NULL, avg double precision NOT NULL, samples bigint NOT NULL
)`,
    `INSERT INTO ${WATERMARKS} (name, watermark) VALUES ('${a.name}', '-infinity') ON CONFLICT (name) DO NOTHING`,
    // Same columns and types as migration 2's view, so CREATE OR REPLACE keeps dependents valid.
    `CREATE OR REPLACE VIEW ${a.name} AS
SELECT bucket, open, high, low, close, avg, samples FROM ${rollupTable(a.name)} WHERE bucket < ${watermarkOf(a.name)}
UNION ALL
${grouped(`INTERVAL '${a.interval}'`)} WHERE ts >= ${watermarkOf(a.name)} GROUP BY 1`,
  ]);
  const rows = aggregates
    .map((a) => `('${a.name}', '${rollupTable(a.name)}', INTERVAL '${a.interval}', INTERVAL '${a.refresh.start}')`)
    .join(', ');
  const refresh =
    `CREATE OR REPLACE FUNCTION refresh_syi_index_aggregates(` +
    `since timestamptz DEFAULT NULL) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  a record;
  newest timestamptz;
  mark timestamptz;
  upto timestamptz;
  start timestamptz;
  total integer := 0;
  n integer;
BEGIN
  -- One refresher at a time; the others have nothing to add.
  IF NOT pg_try_advisory_xact_lock(${REFRESH_LOCK}) THEN RETURN -1; END IF;
  SELECT max(ts) INTO newest FROM syi_index;
  IF newest IS NULL THEN RETURN 0; END IF;
  FOR a IN SELECT * FROM (VALUES ${rows}) AS v(name, rollup, width, lookback) LOOP
    SELECT watermark INTO mark FROM ${WATERMARKS} WHERE name = a.name FOR UPDATE;
    upto := date_bin(a.width, newest, ${ORIGIN});
    start := least(mark, upto - a.lookback, since);
    IF start = '-infinity' THEN start := date_bin(a.width, (SELECT min(ts) FROM syi_index), ${ORIGIN}); END IF;
    EXECUTE format($f$INSERT INTO %I (bucket, open, high, low, close, avg, samples)
      ${grouped('$3')} WHERE ts >= $1 AND ts < $2 GROUP BY 1
      ON CONFLICT (bucket) DO UPDATE SET open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, ` +
    `close = EXCLUDED.close,
        avg = EXCLUDED.avg, samples = EXCLUDED.samples$f$, a.rollup)
      USING start, upto, a.width;
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;
    UPDATE ${WATERMARKS} SET watermark = upto WHERE name = a.name;
  END LOOP;
  RETURN total;
END $$`;
  return [
    `CREATE TABLE IF NOT EXISTS ${WATERMARKS} (name text PRIMARY KEY, watermark timestamptz NOT NULL)`,
    ...perAggregate,
    refresh,
  ];
}

/** TimescaleDB refreshes its continuous aggregates itself: the function only keeps callers uniform. */
const timescaleSql = (): string[] => [
  `CREATE OR REPLACE FUNCTION refresh_syi_index_aggregates(since timestamptz DEFAULT NULL) RETURNS integer
LANGUAGE sql AS $$ SELECT 0 $$`,
];

export const indexRollupsMigration = (aggregates: readonly AggregateSpec[]): Migration => ({
  version: 4,
  name: 'index_aggregate_rollups',
  statements: (variant: StorageVariant) => (variant === 'timescaledb' ? timescaleSql() : partitionedSql(aggregates)),
});
