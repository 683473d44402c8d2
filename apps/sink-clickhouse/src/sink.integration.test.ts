/**
 * sink-clickhouse against the real stack: Kafka + registry + ClickHouse, the app run as a
 * child process on its own prefixed topics, consumer groups and database.
 */
import { randomUUID } from 'node:crypto';
import { ClickHouse } from '@stableyield/clickhouse';
import { TABLES, SINK_TOPICS, type SinkTopic, type TableModel } from '@stableyield/sink-model';
import {
  CLICKHOUSE_URL, connectTestProducer, createSinkTopics, deleteSinkTopics, expectedRows, groupCaughtUp, normaliseRow,
  produceRecords, sampleRecords, sortByKey, spawnApp, stopApp, uniquePrefix, type SinkProcess, type TestRecord,
} from '@stableyield/sink-model/testing';
import { DLQ_HEADERS, readDeadLetterHeaders, type TopicProducer } from '@stableyield/kafka';
import { provisionAll, readTopic, testStack, uniqueGroup, waitFor } from '@stableyield/kafka/testing';

// Generous: the shared 2-core machine runs other engineers' stacks and tests at the same time.
jest.setTimeout(600_000);

const stack = testStack();
const prefix = uniquePrefix('ch');
const run = prefix.slice(2, 8);
const database = `sink_test_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
const ch = new ClickHouse({ url: CLICKHOUSE_URL });
let producer: TopicProducer;
const running: SinkProcess[] = [];
const topics = SINK_TOPICS.map((t) => `${prefix}${t}`);

const startSink = (groupId: string, extra: Record<string, string> = {}) => {
  const p = spawnApp('sink-clickhouse', {
    CLICKHOUSE_URL, CLICKHOUSE_DATABASE: database, SINK_GROUP_ID: groupId, TOPIC_PREFIX: prefix, HEALTH_PORT: '0',
    KAFKA_BROKERS: stack.brokers.join(','), SCHEMA_REGISTRY_URL: stack.registryUrl, RETRY_MAX_MS: '1000', ...extra,
  });
  running.push(p);
  return p;
};

/** Collapsed rows (FINAL); 0 until the sink has created the table. */
async function count(table: string, final = true): Promise<number> {
  const exists = await ch.query<{ n: string }>(`SELECT count() AS n FROM system.tables WHERE database = '${database}' AND name = '${table}'`);
  if (exists[0]?.n !== '1') return 0;
  return Number((await ch.query<{ n: string }>(`SELECT count() AS n FROM ${database}.${table}${final ? ' FINAL' : ''}`))[0]?.n);
}

async function tableRows(t: TableModel): Promise<Record<string, unknown>[]> {
  const rows = await ch.query<Record<string, unknown>>(`SELECT * FROM ${database}.${t.name} FINAL`);
  return sortByKey(t, rows.map((r) => normaliseRow(t, r)));
}

async function expectTablesToHold(batches: { topic: SinkTopic; records: readonly TestRecord[] }[]): Promise<void> {
  for (const [table, rows] of expectedRows(batches)) {
    const model = TABLES[table as keyof typeof TABLES];
    expect({ table, rows: await tableRows(model) }).toEqual({ table, rows: sortByKey(model, rows.map((r) => normaliseRow(model, r))) });
  }
}

beforeAll(async () => {
  await provisionAll(stack);
  await createSinkTopics(stack, prefix);
  producer = await connectTestProducer(stack);
});

afterEach(() => {
  if (process.env.SHOW_SINK_LOGS) for (const p of running) console.log(p.output().slice(-4000));
});

afterAll(async () => {
  for (const p of running) await stopApp(p, 'SIGKILL');
  await producer?.disconnect();
  if (!process.env.KEEP_TEST_DB) await ch.command(`DROP DATABASE IF EXISTS ${database}`);
  await deleteSinkTopics(stack, prefix);
});

describe('sink-clickhouse', () => {
  const batches = SINK_TOPICS.map((topic) => ({ topic, records: sampleRecords(topic, run, topic === 'syi.calculated' ? 40 : 120) }));
  const group = uniqueGroup('sink-ch');

  it('stores every record of the nine topics exactly, with invalid rows dead-lettered', async () => {
    for (const b of batches) await produceRecords(stack, producer, prefix, b.topic, b.records);
    const [good] = sampleRecords('cc.prices', `${run}x`, 1);
    const bad = { key: good!.key, value: { ...good!.value, ts: good!.value.ts + 1, price: Number.NaN } };
    await produceRecords(stack, producer, prefix, 'cc.prices', [bad, good!]);
    batches.push({ topic: 'cc.prices', records: [good!] });

    const sink = startSink(group);
    await waitFor('sink caught up', () => groupCaughtUp(stack, group, topics), 240_000, 250);
    await expectTablesToHold(batches);

    const dead = await readTopic(stack.kafka, `${prefix}cc.prices.dlq`, { done: (m) => m.length >= 1, timeoutMs: 20_000 });
    expect(dead).toHaveLength(1);
    const headers = readDeadLetterHeaders(dead[0]!.headers);
    expect(headers[DLQ_HEADERS.kind]).toBe('constraint');
    expect(headers[DLQ_HEADERS.reason]).toBe('cc_prices.price is not a finite number (NaN)');
    const version = await ch.query<{ v: string }>('SELECT version() AS v');
    console.log(`sink-clickhouse ran against ClickHouse ${version[0]?.v}`);
    await stopApp(sink);
    expect(sink.child.exitCode).toBe(0);
  });

  it('collapses a replay of every topic from the beginning: no new rows', async () => {
    const before = new Map<string, number>();
    for (const t of Object.values(TABLES)) before.set(t.name, await count(t.name));
    const replayGroup = uniqueGroup('sink-ch-replay');
    const sink = startSink(replayGroup);
    await waitFor('replay caught up', () => groupCaughtUp(stack, replayGroup, topics), 240_000, 250);
    await stopApp(sink);
    // The replay did insert duplicates physically…
    expect(await count('syi_index', false)).toBeGreaterThan(before.get('syi_index')!);
    // …and the collapsed view is unchanged, before and after the merge is forced.
    await expectTablesToHold(batches);
    for (const t of Object.values(TABLES)) {
      await ch.command(`OPTIMIZE TABLE ${database}.${t.name} FINAL`);
      expect({ table: t.name, rows: await count(t.name, false) }).toEqual({ table: t.name, rows: before.get(t.name) });
    }
  });

  it('keeps exactly one row per record when killed (SIGKILL) mid-batch and restarted', async () => {
    const records = sampleRecords('pyth.prices', `${run}k`, 50_000);
    await produceRecords(stack, producer, prefix, 'pyth.prices', records, 10_000);
    const killGroup = uniqueGroup('sink-ch-kill');
    const before = await count('pyth_prices');
    const first = startSink(killGroup, { BATCH_SIZE: '500' });
    await waitFor('first rows inserted', async () => (await count('pyth_prices', false)) > before, 240_000, 20);
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = (await count('pyth_prices')) - before;
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(records.length);

    const second = startSink(killGroup, { BATCH_SIZE: '500' });
    await waitFor('restarted sink caught up', () => groupCaughtUp(stack, killGroup, topics), 240_000, 250);
    await stopApp(second);
    expect((await count('pyth_prices')) - before).toBe(records.length);
    await ch.command(`OPTIMIZE TABLE ${database}.pyth_prices FINAL`);
    expect((await count('pyth_prices', false)) - before).toBe(records.length);
  });
});
