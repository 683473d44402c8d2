/**
 * sink-timescale against the real stack: Kafka + registry + PostgreSQL, the app run as a
 * child process on its own prefixed topics, consumer groups and database.
 */
import { Client } from 'pg';
import { TABLES, SINK_TOPICS, type SinkTopic, type TableModel } from '@stableyield/sink-model';
import { createTestDatabase } from '@stableyield/postgres/testing';
import {
  connectTestProducer, createSinkTopics, deleteSinkTopics, expectedRows, groupCaughtUp, normaliseRow, produceRecords,
  sampleRecords, sortByKey, spawnApp, stopApp, uniquePrefix, type SinkProcess, type TestRecord,
} from '@stableyield/sink-model/testing';
import { DLQ_HEADERS, readDeadLetterHeaders, type TopicProducer } from '@stableyield/kafka';
import { provisionAll, readTopic, testStack, uniqueGroup, waitFor } from '@stableyield/kafka/testing';

// Generous: the shared 2-core machine runs other engineers' stacks and tests at the same time.
jest.setTimeout(600_000);

const stack = testStack();
const prefix = uniquePrefix('ts');
const run = prefix.slice(2, 8);
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let pg: Client;
let producer: TopicProducer;
const running: SinkProcess[] = [];

const startSink = (groupId: string, extra: Record<string, string> = {}) => {
  const p = spawnApp('sink-timescale', {
    DATABASE_URL: db.url, SINK_GROUP_ID: groupId, TOPIC_PREFIX: prefix, HEALTH_PORT: '0', KAFKA_BROKERS: stack.brokers.join(','),
    SCHEMA_REGISTRY_URL: stack.registryUrl, RETRY_MAX_MS: '1000', ...extra,
  });
  running.push(p);
  return p;
};

/** Rows in a table; 0 until the sink's migrations have created it. */
async function count(table: string): Promise<number> {
  const exists = await pg.query('SELECT to_regclass($1) IS NOT NULL AS e', [table]);
  if (!(exists.rows[0] as { e: boolean }).e) return 0;
  return Number((await pg.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);
}

async function tableRows(t: TableModel): Promise<Record<string, unknown>[]> {
  const rows = (await pg.query<{ r: Record<string, unknown> }>(`SELECT to_jsonb(x) AS r FROM ${t.name} x`)).rows;
  return sortByKey(t, rows.map((r) => normaliseRow(t, r.r)));
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
  db = await createTestDatabase('sinkts');
  pg = new Client({ connectionString: db.url });
  await pg.connect();
  producer = await connectTestProducer(stack);
});

afterEach(() => {
  // On failure the sink's own log says why.
  if (expect.getState().assertionCalls === 0 || process.env.SHOW_SINK_LOGS) for (const p of running) console.log(p.output().slice(-4000));
});

afterAll(async () => {
  for (const p of running) await stopApp(p, 'SIGKILL');
  await producer?.disconnect();
  await pg?.end();
  await db?.drop();
  await deleteSinkTopics(stack, prefix);
});

describe('sink-timescale', () => {
  const batches = SINK_TOPICS.map((topic) => ({ topic, records: sampleRecords(topic, run, topic === 'syi.calculated' ? 40 : 120) }));
  const group = uniqueGroup('sink-ts');

  it('stores every record of the nine topics exactly, with constraint violations dead-lettered', async () => {
    for (const b of batches) await produceRecords(stack, producer, prefix, b.topic, b.records);
    // Records the database refuses (CHECK constraints) among good ones of the same batch.
    const [good] = sampleRecords('syi.calculated', run, 1, 10_000);
    const badMode = { key: 'SYI', value: { ...good!.value, ts: good!.value.ts + 1, mode: 'sideways' as 'normal' } };
    const badWeight = { key: 'SYI', value: { ...good!.value, ts: good!.value.ts + 2, constituents: good!.value.constituents.map((c) => ({ ...c, weight: 1.5 })) } };
    await produceRecords(stack, producer, prefix, 'syi.calculated', [badMode, good!, badWeight]);
    batches.push({ topic: 'syi.calculated', records: [good!] });

    const sink = startSink(group, { AGGREGATE_REFRESH_MS: '500' });
    const total = batches.reduce((n, b) => n + (b.topic === 'syi.calculated' ? b.records.length : 0), 0);
    await waitFor('all rows', async () => (await count('syi_index')) === total && (await count('tbill')) === 120 && (await count('pyth_prices')) === 120, 240_000, 250);
    await waitFor('sink caught up', () => groupCaughtUp(stack, group, SINK_TOPICS.map((t) => `${prefix}${t}`)), 240_000, 250);

    await expectTablesToHold(batches);
    const dead = await readTopic(stack.kafka, `${prefix}syi.calculated.dlq`, { done: (m) => m.length >= 2, timeoutMs: 20_000 });
    const reasons = dead.map((m) => readDeadLetterHeaders(m.headers));
    expect(reasons.map((h) => h[DLQ_HEADERS.kind])).toEqual(['constraint', 'constraint']);
    expect(reasons.map((h) => h[DLQ_HEADERS.reason]).join('\n')).toMatch(/syi_index_check_1[\s\S]*syi_constituents_check_2|syi_constituents_check_2[\s\S]*syi_index_check_1/);
    // The dead letter carries the record, decodable with the topic's schema.
    const decoded = await Promise.all(dead.map((m) => stack.serde.deserialize('syi.calculated', m.value!)));
    expect(decoded.map((v) => v.ts).sort()).toEqual([badMode.value.ts, badWeight.value.ts]);
    const variant = (await pg.query<{ variant: string }>('SELECT variant FROM sink_schema_migrations LIMIT 1')).rows[0]?.variant;
    console.log(`sink-timescale storage variant: ${variant}`);
    if (variant === 'partitioned') {
      // The sink materialises the index aggregates' complete buckets: every watermark has moved.
      const watermarks = async () => (await pg.query<{ w: string }>("SELECT watermark::text AS w FROM syi_index_aggregate_watermarks")).rows.map((r) => r.w);
      await waitFor('aggregates refreshed', async () => (await watermarks()).every((w) => w !== '-infinity'), 30_000, 250);
      expect(await watermarks()).toHaveLength(4);
    }
    await stopApp(sink);
    expect(sink.child.exitCode).toBe(0);
  });

  it('adds no row and rewrites none when a topic is replayed from the beginning', async () => {
    const before = new Map<string, string[]>();
    for (const t of Object.values(TABLES)) before.set(t.name, (await pg.query<{ x: string }>(`SELECT xmin::text AS x FROM ${t.name} ORDER BY 1`)).rows.map((r) => r.x));
    const replayGroup = uniqueGroup('sink-ts-replay');
    const sink = startSink(replayGroup);
    await waitFor('replay caught up', () => groupCaughtUp(stack, replayGroup, SINK_TOPICS.map((t) => `${prefix}${t}`)), 240_000, 250);
    await stopApp(sink);
    await expectTablesToHold(batches);
    for (const t of Object.values(TABLES)) {
      // Same row versions: the upsert found identical rows and wrote nothing.
      expect({ table: t.name, xmin: (await pg.query<{ x: string }>(`SELECT xmin::text AS x FROM ${t.name} ORDER BY 1`)).rows.map((r) => r.x) })
        .toEqual({ table: t.name, xmin: before.get(t.name) });
    }
  });

  it('keeps exactly one row per record when killed (SIGKILL) mid-batch and restarted', async () => {
    const records = sampleRecords('cc.prices', `${run}k`, 60_000);
    await produceRecords(stack, producer, prefix, 'cc.prices', records, 5_000);
    const killGroup = uniqueGroup('sink-ts-kill');
    const before = await count('cc_prices');
    // Small statements: a consumed batch spans many INSERTs inside one transaction.
    const first = startSink(killGroup, { BATCH_SIZE: '100' });
    await waitFor('first rows committed', async () => (await count('cc_prices')) > before, 240_000, 20);
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = (await count('cc_prices')) - before;
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(records.length);

    const second = startSink(killGroup, { BATCH_SIZE: '100' });
    await waitFor('all rows after restart', async () => (await count('cc_prices')) - before === records.length, 240_000, 250);
    await waitFor('restarted sink caught up', () => groupCaughtUp(stack, killGroup, SINK_TOPICS.map((t) => `${prefix}${t}`)), 240_000, 250);
    await stopApp(second);
    expect((await count('cc_prices')) - before).toBe(records.length);
    const stored = await pg.query<{ n: string }>(`SELECT count(*) AS n FROM cc_prices WHERE symbol LIKE $1`, [`${run}k%`]);
    expect(Number(stored.rows[0]?.n)).toBe(records.length);
  });
});
