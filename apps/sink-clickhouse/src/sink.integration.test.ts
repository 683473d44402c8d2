/**
 * sink-clickhouse against the real stack: Kafka + registry + ClickHouse, the app run as a
 * child process on its own prefixed topics, consumer groups and database.
 *
 * jest retries a failed test once in the same module: every attempt has its own prefix, topics,
 * database and records (beforeEach), and afterEach kills its sinks and removes what it created,
 * so a retry never meets the first attempt's rows, dead letters or processes.
 */
import { randomUUID } from 'node:crypto';
import { ClickHouse } from '@stableyield/clickhouse';
import { TABLES } from '@stableyield/sink-model';
import {
  CLICKHOUSE_URL,
  expectCleanStop,
  sampleRecords,
  sinkAttempts,
  type SinkAttempt,
} from '@stableyield/sink-model/testing';
import { DLQ_HEADERS, readDeadLetterHeaders } from '@stableyield/kafka';
import { readTopic, stopApp, testStack, uniqueGroup, waitWhileAppRuns } from '@stableyield/kafka/testing';

// Generous: the shared 2-core machine runs other engineers' stacks and tests at the same time.
jest.setTimeout(600_000);

const ch = new ClickHouse({ url: CLICKHOUSE_URL });
/** One test attempt's own state: afterEach removes exactly what its beforeEach created. */
type Attempt = SinkAttempt & {
  /** the ClickHouse database the attempt's sinks create (dropped after it unless KEEP_TEST_DB) */
  database: string;
};
const stack = testStack();
const { isolated, startSink, caughtUp, produce, produceNineTopics, expectTablesToHold, killAndRestart } =
  sinkAttempts<Attempt>(stack, 'sink-clickhouse', 'ch', {
    setUp: (a) => {
      a.database = `sink_test_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
    },
    tearDown: async (a) => {
      if (a.database !== undefined && !process.env.KEEP_TEST_DB)
        await ch.command(`DROP DATABASE IF EXISTS ${a.database}`);
    },
    env: (a) => ({ CLICKHOUSE_URL, CLICKHOUSE_DATABASE: a.database }),
    rows: (a, t) => ch.query<Record<string, unknown>>(`SELECT * FROM ${a.database}.${t.name} FINAL`),
  });

/** Collapsed rows (FINAL); 0 until the sink has created the table. */
async function count(database: string, table: string, final = true): Promise<number> {
  const exists = await ch.query<{ n: string }>(
    `SELECT count() AS n FROM system.tables WHERE database = '${database}' AND name = '${table}'`,
  );
  if (exists[0]?.n !== '1') return 0;
  const rows = await ch.query<{ n: string }>(`SELECT count() AS n FROM ${database}.${table}${final ? ' FINAL' : ''}`);
  return Number(rows[0]?.n);
}

/**
 * Produces the attempt's records of the nine topics, then an invalid price (NaN) before a good
 * record of the same batch. Returns the batches the tables must hold.
 */
async function produceTopics(a: Attempt) {
  const batches = await produceNineTopics(a);
  const [good] = sampleRecords('cc.prices', `${a.run}x`, 1);
  const bad = { key: good!.key, value: { ...good!.value, ts: good!.value.ts + 1, price: Number.NaN } };
  await produce(a, 'cc.prices', [bad, good!]);
  batches.push({ topic: 'cc.prices', records: [good!] });
  return batches;
}

describe('sink-clickhouse', () => {
  it(
    'stores every record of the nine topics exactly, with invalid rows dead-lettered',
    isolated(async (a) => {
      const batches = await produceTopics(a);
      const group = uniqueGroup('sink-ch');

      const sink = startSink(a, group);
      await waitWhileAppRuns(sink, 'sink caught up', caughtUp(a, group), 240_000);
      await expectTablesToHold(a, batches);

      const dlq = `${a.prefix}cc.prices.dlq`;
      const dead = await readTopic(stack.kafka, dlq, { done: (m) => m.length >= 1, timeoutMs: 20_000 });
      expect(dead).toHaveLength(1);
      const headers = readDeadLetterHeaders(dead[0]!.headers);
      expect(headers[DLQ_HEADERS.kind]).toBe('constraint');
      expect(headers[DLQ_HEADERS.reason]).toBe('cc_prices.price is not a finite number (NaN)');
      const version = await ch.query<{ v: string }>('SELECT version() AS v');
      console.log(`sink-clickhouse ran against ClickHouse ${version[0]?.v}`);
      await expectCleanStop(sink);
    }),
  );

  it(
    'collapses a replay of every topic from the beginning: no new rows',
    isolated(async (a) => {
      const { database } = a;
      // The attempt's own stored topics: the first test's records, consumed once to the end.
      const batches = await produceTopics(a);
      const firstGroup = uniqueGroup('sink-ch');
      const first = startSink(a, firstGroup);
      await waitWhileAppRuns(first, 'first pass caught up', caughtUp(a, firstGroup), 240_000);
      await stopApp(first);

      const before = new Map<string, number>();
      for (const t of Object.values(TABLES)) before.set(t.name, await count(database, t.name));
      const replayGroup = uniqueGroup('sink-ch-replay');
      const sink = startSink(a, replayGroup);
      await waitWhileAppRuns(sink, 'replay caught up', caughtUp(a, replayGroup), 240_000);
      await stopApp(sink);
      // The replay did insert duplicates physically…
      expect(await count(database, 'syi_index', false)).toBeGreaterThan(before.get('syi_index')!);
      // …and the collapsed view is unchanged, before and after the merge is forced.
      await expectTablesToHold(a, batches);
      for (const t of Object.values(TABLES)) {
        await ch.command(`OPTIMIZE TABLE ${database}.${t.name} FINAL`);
        const rows = await count(database, t.name, false);
        expect({ table: t.name, rows }).toEqual({ table: t.name, rows: before.get(t.name) });
      }
    }),
  );

  it(
    'keeps exactly one row per record when killed (SIGKILL) mid-batch and restarted',
    isolated(async (a) => {
      const { database } = a;
      const records = sampleRecords('pyth.prices', `${a.run}k`, 50_000);
      await produce(a, 'pyth.prices', records, 10_000);
      const before = await count(database, 'pyth_prices');
      await killAndRestart(a, {
        groupId: uniqueGroup('sink-ch-kill'),
        extra: { BATCH_SIZE: '500' },
        wrote: ['first rows inserted', async () => (await count(database, 'pyth_prices', false)) > before],
        killed: async () => {
          const atKill = (await count(database, 'pyth_prices')) - before;
          expect(atKill).toBeGreaterThan(0);
          expect(atKill).toBeLessThan(records.length);
        },
      });
      expect((await count(database, 'pyth_prices')) - before).toBe(records.length);
      await ch.command(`OPTIMIZE TABLE ${database}.pyth_prices FINAL`);
      expect((await count(database, 'pyth_prices', false)) - before).toBe(records.length);
    }),
  );
});
