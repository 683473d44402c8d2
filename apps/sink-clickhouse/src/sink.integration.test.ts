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
import { TABLES, SINK_TOPICS, type SinkTopic, type TableModel } from '@stableyield/sink-model';
import {
  CLICKHOUSE_URL,
  connectTestProducer,
  createSinkTopics,
  deleteSinkTopics,
  expectedRows,
  groupCaughtUp,
  normaliseRow,
  produceRecords,
  sampleRecords,
  sortByKey,
  spawnApp,
  stopApp,
  uniquePrefix,
  type SinkProcess,
  type TestRecord,
} from '@stableyield/sink-model/testing';
import { DLQ_HEADERS, readDeadLetterHeaders, type TopicProducer } from '@stableyield/kafka';
import { provisionAll, readTopic, testStack, uniqueGroup, waitWhileAppRuns } from '@stableyield/kafka/testing';

// Generous: the shared 2-core machine runs other engineers' stacks and tests at the same time.
jest.setTimeout(600_000);

type Batch = { topic: SinkTopic; records: readonly TestRecord[] };

/** One test attempt's own state: afterEach removes exactly what its beforeEach created. */
interface Attempt {
  prefix: string;
  run: string;
  /** the ClickHouse database the attempt's sinks create (dropped after it unless KEEP_TEST_DB) */
  database: string;
  topics: string[];
  /** the attempt's own: a producer that knew the previous attempt's (deleted) topics keeps asking for them */
  producer: TopicProducer;
  /** every sink the attempt started: killed after it, their output shown unless it passed */
  running: SinkProcess[];
  passed: boolean;
}

const stack = testStack();
const ch = new ClickHouse({ url: CLICKHOUSE_URL });
let attempt: Partial<Attempt> | undefined;

/** A test body run against its attempt's state; the attempt has passed only when the body resolved. */
const isolated = (body: (a: Attempt) => Promise<void>) => async () => {
  const a = attempt;
  if (a?.producer === undefined) throw new Error('the attempt was not set up (beforeEach failed)');
  await body(a as Attempt);
  a.passed = true;
};

const startSink = (a: Attempt, groupId: string, extra: Record<string, string> = {}) => {
  const p = spawnApp('sink-clickhouse', {
    CLICKHOUSE_URL,
    CLICKHOUSE_DATABASE: a.database,
    SINK_GROUP_ID: groupId,
    TOPIC_PREFIX: a.prefix,
    HEALTH_PORT: '0',
    KAFKA_BROKERS: stack.brokers.join(','),
    SCHEMA_REGISTRY_URL: stack.registryUrl,
    RETRY_MAX_MS: '1000',
    ...extra,
  });
  a.running.push(p);
  return p;
};

/** Collapsed rows (FINAL); 0 until the sink has created the table. */
async function count(database: string, table: string, final = true): Promise<number> {
  const exists = await ch.query<{ n: string }>(
    `SELECT count() AS n FROM system.tables WHERE database = '${database}' AND name = '${table}'`,
  );
  if (exists[0]?.n !== '1') return 0;
  const rows = await ch.query<{ n: string }>(`SELECT count() AS n FROM ${database}.${table}${final ? ' FINAL' : ''}`);
  return Number(rows[0]?.n);
}

async function tableRows(database: string, t: TableModel): Promise<Record<string, unknown>[]> {
  const rows = await ch.query<Record<string, unknown>>(`SELECT * FROM ${database}.${t.name} FINAL`);
  return sortByKey(
    t,
    rows.map((r) => normaliseRow(t, r)),
  );
}

async function expectTablesToHold(database: string, batches: readonly Batch[]): Promise<void> {
  for (const [table, rows] of expectedRows(batches)) {
    const model = TABLES[table as keyof typeof TABLES];
    const expected = sortByKey(
      model,
      rows.map((r) => normaliseRow(model, r)),
    );
    expect({ table, rows: await tableRows(database, model) }).toEqual({ table, rows: expected });
  }
}

/**
 * Produces the attempt's records of the nine topics, then an invalid price (NaN) before a good
 * record of the same batch. Returns the batches the tables must hold.
 */
async function produceTopics(a: Attempt): Promise<Batch[]> {
  const batches: Batch[] = SINK_TOPICS.map((topic) => ({
    topic,
    records: sampleRecords(topic, a.run, topic === 'syi.calculated' ? 40 : 120),
  }));
  for (const b of batches) await produceRecords(stack, a.producer, a.prefix, b.topic, b.records);
  const [good] = sampleRecords('cc.prices', `${a.run}x`, 1);
  const bad = { key: good!.key, value: { ...good!.value, ts: good!.value.ts + 1, price: Number.NaN } };
  await produceRecords(stack, a.producer, a.prefix, 'cc.prices', [bad, good!]);
  batches.push({ topic: 'cc.prices', records: [good!] });
  return batches;
}

const caughtUp = (a: Attempt, group: string) => () => groupCaughtUp(stack, group, a.topics);

beforeAll(async () => {
  await provisionAll(stack);
});

beforeEach(async () => {
  const prefix = uniquePrefix('ch');
  const database = `sink_test_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const a: Partial<Attempt> = { prefix, run: prefix.slice(2, 8), database, running: [], passed: false };
  attempt = a;
  await createSinkTopics(stack, prefix);
  a.topics = SINK_TOPICS.map((t) => `${prefix}${t}`);
  a.producer = await connectTestProducer(stack);
});

afterEach(async () => {
  const a = attempt;
  attempt = undefined;
  if (a === undefined) return;
  for (const p of a.running ?? []) {
    // On failure (or a timeout) the sink's own log says why.
    if (!a.passed || process.env.SHOW_SINK_LOGS) console.log(`sink pid ${p.child.pid}:\n${p.output().slice(-4000)}`);
    await stopApp(p, 'SIGKILL');
  }
  await a.producer?.disconnect();
  if (!process.env.KEEP_TEST_DB) await ch.command(`DROP DATABASE IF EXISTS ${a.database}`);
  if (a.topics) await deleteSinkTopics(stack, a.prefix!);
});

describe('sink-clickhouse', () => {
  it(
    'stores every record of the nine topics exactly, with invalid rows dead-lettered',
    isolated(async (a) => {
      const { prefix, database } = a;
      const batches = await produceTopics(a);
      const group = uniqueGroup('sink-ch');

      const sink = startSink(a, group);
      await waitWhileAppRuns(sink, 'sink caught up', caughtUp(a, group), 240_000);
      await expectTablesToHold(database, batches);

      const dlq = `${prefix}cc.prices.dlq`;
      const dead = await readTopic(stack.kafka, dlq, { done: (m) => m.length >= 1, timeoutMs: 20_000 });
      expect(dead).toHaveLength(1);
      const headers = readDeadLetterHeaders(dead[0]!.headers);
      expect(headers[DLQ_HEADERS.kind]).toBe('constraint');
      expect(headers[DLQ_HEADERS.reason]).toBe('cc_prices.price is not a finite number (NaN)');
      const version = await ch.query<{ v: string }>('SELECT version() AS v');
      console.log(`sink-clickhouse ran against ClickHouse ${version[0]?.v}`);
      await stopApp(sink);
      expect(sink.child.exitCode).toBe(0);
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
      await expectTablesToHold(database, batches);
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
      const { prefix, run, database } = a;
      const records = sampleRecords('pyth.prices', `${run}k`, 50_000);
      await produceRecords(stack, a.producer, prefix, 'pyth.prices', records, 10_000);
      const killGroup = uniqueGroup('sink-ch-kill');
      const before = await count(database, 'pyth_prices');
      const first = startSink(a, killGroup, { BATCH_SIZE: '500' });
      const someRows = async () => (await count(database, 'pyth_prices', false)) > before;
      await waitWhileAppRuns(first, 'first rows inserted', someRows, 240_000, 20);
      first.child.kill('SIGKILL');
      await first.exited;
      const atKill = (await count(database, 'pyth_prices')) - before;
      expect(atKill).toBeGreaterThan(0);
      expect(atKill).toBeLessThan(records.length);

      const second = startSink(a, killGroup, { BATCH_SIZE: '500' });
      await waitWhileAppRuns(second, 'restarted sink caught up', caughtUp(a, killGroup), 240_000);
      await stopApp(second);
      expect((await count(database, 'pyth_prices')) - before).toBe(records.length);
      await ch.command(`OPTIMIZE TABLE ${database}.pyth_prices FINAL`);
      expect((await count(database, 'pyth_prices', false)) - before).toBe(records.length);
    }),
  );
});
