/**
 * sink-timescale against the real stack: Kafka + registry + PostgreSQL, the app run as a
 * child process on its own prefixed topics, consumer groups and database.
 *
 * jest retries a failed test once in the same module: every attempt has its own prefix, topics,
 * database and records (beforeEach), and afterEach kills its sinks and removes what it created,
 * so a retry never meets the first attempt's rows, dead letters or processes.
 */
import { Client } from 'pg';
import { TABLES } from '@stableyield/sink-model';
import { createTestDatabase } from '@stableyield/postgres/testing';
import { expectCleanStop, sampleRecords, sinkAttempts, type SinkAttempt } from '@stableyield/sink-model/testing';
import { DLQ_HEADERS, readDeadLetterHeaders } from '@stableyield/kafka';
import { readTopic, stopApp, testStack, uniqueGroup, waitWhileAppRuns } from '@stableyield/kafka/testing';

// Generous: the shared 2-core machine runs other engineers' stacks and tests at the same time.
jest.setTimeout(600_000);

/** One test attempt's own state: afterEach removes exactly what its beforeEach created. */
type Attempt = SinkAttempt & { db: Awaited<ReturnType<typeof createTestDatabase>>; pg: Client };
const stack = testStack();
const { isolated, startSink, caughtUp, produce, produceNineTopics, expectTablesToHold, killAndRestart } =
  sinkAttempts<Attempt>(stack, 'sink-timescale', 'ts', {
    setUp: async (a) => {
      a.db = await createTestDatabase('sinkts');
      const pg = new Client({ connectionString: a.db.url });
      await pg.connect();
      a.pg = pg;
    },
    tearDown: async (a) => {
      await a.pg?.end();
      await a.db?.drop();
    },
    env: (a) => ({ DATABASE_URL: a.db.url }),
    rows: async (a, t) =>
      (await a.pg.query<{ r: Record<string, unknown> }>(`SELECT to_jsonb(x) AS r FROM ${t.name} x`)).rows.map(
        (r) => r.r,
      ),
  });

/** Rows in a table; 0 until the sink's migrations have created it. */
async function count(pg: Client, table: string): Promise<number> {
  const exists = await pg.query('SELECT to_regclass($1) IS NOT NULL AS e', [table]);
  if (!(exists.rows[0] as { e: boolean }).e) return 0;
  return Number((await pg.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);
}

/**
 * Produces the attempt's records of the nine topics, then records the database refuses (CHECK
 * constraints) among good ones of the same batch. Returns the batches the tables must hold and
 * the two refused records.
 */
async function produceTopics(a: Attempt) {
  const batches = await produceNineTopics(a);
  const [good] = sampleRecords('syi.calculated', a.run, 1, 10_000);
  const badMode = { key: 'SYI', value: { ...good!.value, ts: good!.value.ts + 1, mode: 'sideways' as 'normal' } };
  const badWeight = {
    key: 'SYI',
    value: {
      ...good!.value,
      ts: good!.value.ts + 2,
      constituents: good!.value.constituents.map((c) => ({ ...c, weight: 1.5 })),
    },
  };
  await produce(a, 'syi.calculated', [badMode, good!, badWeight]);
  batches.push({ topic: 'syi.calculated', records: [good!] });
  return { batches, badMode, badWeight };
}

describe('sink-timescale', () => {
  it(
    'stores every record of the nine topics exactly, with constraint violations dead-lettered',
    isolated(async (a) => {
      const { prefix, pg } = a;
      const { batches, badMode, badWeight } = await produceTopics(a);
      const group = uniqueGroup('sink-ts');

      const sink = startSink(a, group, { AGGREGATE_REFRESH_MS: '500' });
      const total = batches.reduce((n, b) => n + (b.topic === 'syi.calculated' ? b.records.length : 0), 0);
      await waitWhileAppRuns(
        sink,
        'all rows',
        async () =>
          (await count(pg, 'syi_index')) === total &&
          (await count(pg, 'tbill')) === 120 &&
          (await count(pg, 'pyth_prices')) === 120,
        240_000,
      );
      await waitWhileAppRuns(sink, 'sink caught up', caughtUp(a, group), 240_000);

      await expectTablesToHold(a, batches);
      const dlq = `${prefix}syi.calculated.dlq`;
      const dead = await readTopic(stack.kafka, dlq, { done: (m) => m.length >= 2, timeoutMs: 20_000 });
      const reasons = dead.map((m) => readDeadLetterHeaders(m.headers));
      expect(reasons.map((h) => h[DLQ_HEADERS.kind])).toEqual(['constraint', 'constraint']);
      expect(reasons.map((h) => h[DLQ_HEADERS.reason]).join('\n')).toMatch(
        /syi_index_check_1[\s\S]*syi_constituents_check_2|syi_constituents_check_2[\s\S]*syi_index_check_1/,
      );
      // The dead letter carries the record, decodable with the topic's schema.
      const decoded = await Promise.all(dead.map((m) => stack.serde.deserialize('syi.calculated', m.value!)));
      expect(decoded.map((v) => v.ts).sort()).toEqual([badMode.value.ts, badWeight.value.ts]);
      const migrations = await pg.query<{ variant: string }>('SELECT variant FROM sink_schema_migrations LIMIT 1');
      const variant = migrations.rows[0]?.variant;
      console.log(`sink-timescale storage variant: ${variant}`);
      if (variant === 'partitioned') {
        // The sink materialises the index aggregates' complete buckets: every watermark has moved.
        const watermarks = async () =>
          (await pg.query<{ w: string }>('SELECT watermark::text AS w FROM syi_index_aggregate_watermarks')).rows.map(
            (r) => r.w,
          );
        const moved = async () => (await watermarks()).every((w) => w !== '-infinity');
        await waitWhileAppRuns(sink, 'aggregates refreshed', moved, 30_000);
        expect(await watermarks()).toHaveLength(4);
      }
      await expectCleanStop(sink);
    }),
  );

  it(
    'adds no row and rewrites none when a topic is replayed from the beginning',
    isolated(async (a) => {
      const { pg } = a;
      // The attempt's own stored topics: the first test's records, consumed once to the end.
      const { batches } = await produceTopics(a);
      const firstGroup = uniqueGroup('sink-ts');
      const first = startSink(a, firstGroup);
      await waitWhileAppRuns(first, 'first pass caught up', caughtUp(a, firstGroup), 240_000);
      await stopApp(first);

      const xmins = async (table: string) =>
        (await pg.query<{ x: string }>(`SELECT xmin::text AS x FROM ${table} ORDER BY 1`)).rows.map((r) => r.x);
      const before = new Map<string, string[]>();
      for (const t of Object.values(TABLES)) before.set(t.name, await xmins(t.name));
      const replayGroup = uniqueGroup('sink-ts-replay');
      const sink = startSink(a, replayGroup);
      await waitWhileAppRuns(sink, 'replay caught up', caughtUp(a, replayGroup), 240_000);
      await stopApp(sink);
      await expectTablesToHold(a, batches);
      for (const t of Object.values(TABLES)) {
        // Same row versions: the upsert found identical rows and wrote nothing.
        expect({ table: t.name, xmin: await xmins(t.name) }).toEqual({ table: t.name, xmin: before.get(t.name) });
      }
    }),
  );

  it(
    'keeps exactly one row per record when killed (SIGKILL) mid-batch and restarted',
    isolated(async (a) => {
      const { run, pg } = a;
      const records = sampleRecords('cc.prices', `${run}k`, 60_000);
      await produce(a, 'cc.prices', records, 5_000);
      const before = await count(pg, 'cc_prices');
      const added = async () => (await count(pg, 'cc_prices')) - before;
      await killAndRestart(a, {
        groupId: uniqueGroup('sink-ts-kill'),
        // Small statements: a consumed batch spans many INSERTs inside one transaction.
        extra: { BATCH_SIZE: '100' },
        wrote: ['first rows committed', async () => (await added()) > 0],
        killed: async () => {
          const atKill = await added();
          expect(atKill).toBeGreaterThan(0);
          expect(atKill).toBeLessThan(records.length);
        },
        restarted: ['all rows after restart', async () => (await added()) === records.length],
      });
      expect(await added()).toBe(records.length);
      const stored = await pg.query<{ n: string }>('SELECT count(*) AS n FROM cc_prices WHERE symbol LIKE $1', [
        `${run}k%`,
      ]);
      expect(Number(stored.rows[0]?.n)).toBe(records.length);
    }),
  );
});
