// Store verification: what the sinks and the WebSocket stream hold against what processor-syi
// published.
import { Client } from 'pg';
import { ClickHouse } from '@stableyield/clickhouse';
import { waitFor } from '@stableyield/kafka/testing';
import type { SyiRecord } from '@stableyield/schemas';
import type { StreamClient } from './live-stream';

/** A store's `syi_index` rows are exactly these (ts, value), once it holds as many (waits up to 2 min). */
async function checkIndexRows(
  store: string,
  rows: () => Promise<[number, number][]>,
  index: readonly (readonly [number, number])[],
): Promise<string[]> {
  await waitFor(
    `${store} to hold every record`,
    async () => (await rows()).length >= index.length,
    120_000,
    1_000,
  ).catch(() => undefined);
  const got = await rows();
  return JSON.stringify(got) === JSON.stringify(index) ? [] : [`${store} syi_index: ${describeDifference(got, index)}`];
}

/** PostgreSQL's `syi_index` holds exactly these (ts, value), once the sink has caught up (waits up to 2 min). */
export async function checkPostgresIndex(
  databaseUrl: string,
  index: readonly (readonly [number, number])[],
): Promise<string[]> {
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  try {
    const rows = async () =>
      (await pg.query<{ ts: Date; value: number }>('SELECT ts, value FROM syi_index ORDER BY ts')).rows.map(
        (r): [number, number] => [r.ts.getTime(), r.value],
      );
    return await checkIndexRows('PostgreSQL', rows, index);
  } finally {
    await pg.end();
  }
}

/**
 * ClickHouse's `<database>.syi_index` holds exactly these (ts, value), once the sink has caught up (waits up to 2
 * min).
 */
export async function checkClickHouseIndex(
  clickhouseUrl: string,
  database: string,
  index: readonly (readonly [number, number])[],
): Promise<string[]> {
  const ch = new ClickHouse({ url: clickhouseUrl });
  try {
    const rows = async () =>
      (
        await ch
          .query<{ ts: string; value: number }>(`SELECT ts, value FROM ${database}.syi_index FINAL ORDER BY ts`)
          .catch(() => [])
      ).map((r): [number, number] => [Number(r.ts), r.value]);
    return await checkIndexRows('ClickHouse', rows, index);
  } finally {
    await ch.close();
  }
}

/** Drops a run's ClickHouse database (the sink created it): left behind, every run's tables would go on merging. */
export async function dropClickHouseDatabase(clickhouseUrl: string, database: string): Promise<void> {
  const ch = new ClickHouse({ url: clickhouseUrl });
  try {
    await ch.command(`DROP DATABASE IF EXISTS ${database}`);
  } finally {
    await ch.close();
  }
}

/** Every WebSocket client got the last record, every value right and in order (waits up to 30 s). */
export async function checkStreams(streams: readonly StreamClient[], live: readonly SyiRecord[]): Promise<string[]> {
  const last = live.at(-1)?.ts;
  await waitFor(
    'every WebSocket client to have the last record',
    () => streams.every((s) => s.messages.at(-1)?.ts === last),
    30_000,
  ).catch(() => undefined);
  const byTs = new Map(live.map((r) => [r.ts, r.value]));
  const problems: string[] = [];
  streams.forEach((s, i) => {
    const ts = s.messages.map((m) => m.ts);
    const wrong = s.messages.filter((m) => byTs.get(m.ts) !== m.value).length;
    // a client that reconnected gets the latest record again as its snapshot: equal, never older
    const unordered = ts.some((t, j) => j > 0 && t < ts[j - 1]!);
    if (s.messages.at(-1)?.ts !== last || wrong > 0 || unordered)
      problems.push(
        `WebSocket client ${i}: ${s.messages.length} messages, last ${s.messages.at(-1)?.ts}, ` +
          `${wrong} wrong values, ordered: ${!unordered}`,
      );
  });
  return problems;
}

/** How stored (ts, value) rows differ from the published records: counts, and the first few. */
export function describeDifference(
  rows: readonly (readonly [number, number])[],
  records: readonly (readonly [number, number])[],
): string {
  const stored = new Map(rows.map(([ts, v]) => [ts, v]));
  const published = new Map(records.map(([ts, v]) => [ts, v]));
  const missing = records.filter(([ts]) => !stored.has(ts)).map(([ts]) => ts);
  const extra = rows.filter(([ts]) => !published.has(ts)).map(([ts]) => ts);
  const wrong = records.filter(([ts, v]) => stored.has(ts) && stored.get(ts) !== v).map(([ts]) => ts);
  return (
    `${rows.length} rows for ${records.length} records; ` +
    `missing ${missing.length} (${missing.slice(0, 3).join(', ')}), ` +
    `extra ${extra.length} (${extra.slice(0, 3).join(', ')}), ` +
    `other values ${wrong.length} (${wrong.slice(0, 3).join(', ')})`
  );
}
