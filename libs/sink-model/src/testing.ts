/**
 * Helpers for the sinks' integration tests and benchmarks against the real local stack (a fresh
 * PostgreSQL database: @stableyield/postgres/testing).
 * Test code only: never imported by an app.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CATALOG, createTopicsWithLeaders, type RawRecord, type TopicProducer } from '@stableyield/kafka';
import {
  connectTestProducer,
  provisionAll,
  spawnApp,
  stopApp,
  testStack,
  waitWhileAppRuns,
  type AppProcess,
  type TestStack,
} from '@stableyield/kafka/testing';
import * as avro from 'avsc';
import { createRegistryClient, valueSubject, VALUE_SCHEMAS, type TopicValues } from '@stableyield/schemas';
import { recordRows, SINK_TOPICS, TABLES, type Row, type SinkTopic, type TableModel } from './model';
import type { SinkRecord } from './sink';

export const CLICKHOUSE_URL = process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123';

/** The repository root (tests run from a project folder). */
export function repoRoot(): string {
  let dir = process.cwd();
  while (!existsSync(join(dir, 'nx.json'))) {
    const up = resolve(dir, '..');
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
}

/** A topic prefix no other run uses, e.g. `t1a2b3c4.` (the sinks consume `<prefix><topic>`). */
export const uniquePrefix = (tag = 't') => `${tag}${randomUUID().slice(0, 8)}.`;

/** Creates the prefixed copies of the sink topics (catalog partition counts) and their DLQ topics. */
export async function createSinkTopics(stack: TestStack, prefix: string, partitions?: number): Promise<void> {
  const admin = stack.kafka.admin();
  await admin.connect();
  try {
    await createTopicsWithLeaders(admin, {
      topics: SINK_TOPICS.flatMap((t) => [
        {
          topic: `${prefix}${t}`,
          numPartitions: partitions ?? CATALOG.find((c) => c.name === t)?.partitions ?? 1,
          replicationFactor: 1,
        },
        { topic: `${prefix}${t}.dlq`, numPartitions: 1, replicationFactor: 1 },
      ]),
    });
  } finally {
    await admin.disconnect();
  }
}

export async function deleteSinkTopics(stack: TestStack, prefix: string): Promise<void> {
  const admin = stack.kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: SINK_TOPICS.flatMap((t) => [`${prefix}${t}`, `${prefix}${t}.dlq`]) });
  } catch {
    // best effort: a leftover test topic harms nobody
  } finally {
    await admin.disconnect();
  }
}

export interface TestRecord<T extends SinkTopic = SinkTopic> {
  key: string;
  value: TopicValues[T];
}

const FEED = (i: number) => i.toString(16).padStart(64, '0');

/**
 * `count` distinct records of a topic, unique to `run` (symbols carry the run id, times are
 * far in the future), with values varied enough that a mix-up between rows shows.
 */
export function sampleRecords<T extends SinkTopic>(topic: T, run: string, count: number, start = 0): TestRecord<T>[] {
  let hash = 0;
  for (const ch of run) hash = (hash * 31 + ch.charCodeAt(0)) % 199_999;
  // A run's own stretch of time (2031–2054): keys without the run id in them stay distinct.
  const base = Date.UTC(2031, 0, 1) + hash * 3_600_000;
  const out: TestRecord[] = [];
  for (let j = start; j < start + count; j++) {
    const ts = base + j * 1000;
    const symbol = `${run}S${j % 7}`;
    const v = (j % 1000) / 1000;
    switch (topic) {
      case 'syi.calculated':
        out.push({
          key: 'SYI',
          value: {
            ts,
            value: 4 + v,
            tbillRate: j % 3 === 0 ? null : 4.1,
            rpl: j % 3 === 0 ? null : v - 0.1,
            mode: j % 5 === 0 ? 'high-vol' : 'normal',
            eligible: 2,
            methodologyVersion: 'SYI-v1',
            inputsDigest: `in${j}`,
            prevDigest: j === 0 ? null : `d${j - 1}`,
            digest: `d${j}`,
            constituents: [`${run}A`, `${run}B`].map((s, k) => ({
              symbol: s,
              weight: k === 0 ? 0.6 : 0.4,
              ray: 4 + v + k,
              apyEff: 5 + k,
              pegScore: 0.99,
              liquidityScore: 0.8,
              counterpartyScore: 0.9,
              price: 1.0001,
              devBps: 1 + k,
              sigmaBps: 2,
              marketCapUsd: 1e9 + j,
              depthUsd: 1e6,
              volume24hUsd: 1e7,
            })),
          },
        });
        break;
      case 'ray.calculated':
        out.push({
          key: symbol,
          value: {
            symbol,
            ts,
            apyEff: 5 + v,
            pegScore: j % 4 === 0 ? null : 0.99,
            liquidityScore: 0.8,
            counterpartyScore: 0.9,
            rayNormal: 4 + v,
            rayHighVol: 3 + v,
            methodologyVersion: 'SYI-v1',
          },
        });
        break;
      case 'syi.peg':
        out.push({
          key: symbol,
          value: {
            symbol,
            ts,
            price: 1 + v / 100,
            devBps: v * 10,
            pegScore: 0.9 + v / 10,
            sigmaBps: j % 2 === 0 ? null : 3,
            sampleCount: j % 50,
            methodologyVersion: 'SYI-v1',
          },
        });
        break;
      case 'syi.liquidity':
        out.push({
          key: symbol,
          value: {
            symbol,
            ts,
            depthUsd: 1e6 + j,
            volume24hUsd: 2e7 + j,
            marketCapUsd: j % 3 === 0 ? null : 1e9,
            liquidityScore: j % 3 === 0 ? null : v,
            methodologyVersion: 'SYI-v1',
          },
        });
        break;
      case 'pyth.prices':
        out.push({
          key: FEED(j % 5),
          value: {
            symbol: `${run}P${j % 5}`,
            feedId: FEED(j % 5),
            price: 1 + v / 1000,
            conf: 0.0001 * (j % 10),
            publishTime: Math.floor(base / 1000) + j,
            ts,
          },
        });
        break;
      case 'cc.prices':
        out.push({
          key: `${symbol}-v${j % 3}`,
          value: { symbol, venue: `v${j % 3}`, price: 1 - v / 1000, volume24hUsd: j % 4 === 0 ? null : 1e6 * v, ts },
        });
        break;
      case 'dl.apy':
        out.push({
          key: `${run}pool${j % 9}`,
          value: {
            pool: `${run}pool${j % 9}`,
            project: 'aave-v3',
            chain: 'Ethereum',
            symbol,
            tvlUsd: 1e8 + j,
            apyBase: j % 2 === 0 ? null : 4 + v,
            apyReward: 0.1,
            apy: 4.1 + v,
            ts,
          },
        });
        break;
      case 'ex.mktcap':
        out.push({ key: symbol, value: { symbol, marketCapUsd: 1e9 + j * 1000, ts } });
        break;
      case 'trad.tbill': {
        const date = new Date(ts + j * 86_400_000).toISOString().slice(0, 10);
        out.push({ key: 'yield-3m', value: { series: `${run}DTB3`, rate: 4 + v, date, ts: ts + j * 86_400_000 } });
        break;
      }
      default: {
        const never: never = topic;
        throw new Error(`no samples for ${String(never)}`);
      }
    }
  }
  return out as TestRecord<T>[];
}

/**
 * An encoder producing exactly what TopicSerde writes (magic byte 0, the latest registered
 * schema id, the Avro body), synchronously: fast enough to pre-fill topics with millions of records.
 */
export async function registryEncoder<T extends SinkTopic>(
  stack: TestStack,
  topic: T,
): Promise<(value: TopicValues[T]) => Buffer> {
  const { id } = await createRegistryClient(stack.registryUrl).getLatestSchemaMetadata(valueSubject(topic));
  const type = avro.Type.forSchema(VALUE_SCHEMAS[topic] as avro.Schema);
  const header = Buffer.alloc(5);
  header.writeUInt32BE(id ?? 0, 1);
  return (value) => Buffer.concat([header, type.toBuffer(value)]);
}

/** Produces records to `<prefix><topic>`, Avro-encoded with the catalog topic's registered schema. */
export async function produceRecords<T extends SinkTopic>(
  stack: TestStack,
  producer: TopicProducer,
  prefix: string,
  topic: T,
  records: readonly TestRecord<T>[],
  chunk = 5_000,
): Promise<void> {
  const encode = await registryEncoder(stack, topic);
  for (let i = 0; i < records.length; i += chunk) {
    const raw: RawRecord[] = records
      .slice(i, i + chunk)
      .map((r) => ({ topic: `${prefix}${topic}`, key: r.key, value: encode(r.value) }));
    await producer.sendRaw(raw);
  }
}

// One implementation for every project's tests (libs/kafka/testing); re-exported where they used to live.
export { connectTestProducer, spawnApp, stopApp };
export type { AppProcess as SinkProcess } from '@stableyield/kafka/testing';

/**
 * The variables of an app that serves from a test database and a prefixed copy of the topics (api,
 * ws-gateway), on the loopback interface: its topics already provisioned, warnings only in its log.
 */
export const servingAppEnv = (stack: TestStack, databaseUrl: string, topicPrefix: string): Record<string, string> => ({
  DATABASE_URL: databaseUrl,
  TOPIC_PREFIX: topicPrefix,
  PROVISION_TOPICS: 'false',
  LOG_LEVEL: 'warn',
  HOST: '127.0.0.1',
  HEALTH_HOST: '127.0.0.1',
  KAFKA_BROKERS: stack.brokers.join(','),
  SCHEMA_REGISTRY_URL: stack.registryUrl,
});

/** Reads a metric's summed value from a Prometheus text exposition. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (.+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const l = m[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

export const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

/** The rows the sinks must hold for these records, per table, in logical form. */
export function expectedRows(
  batches: readonly { topic: SinkTopic; records: readonly TestRecord[] }[],
): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const { topic, records } of batches) {
    for (const r of records) {
      for (const { table, row } of recordRows(topic, r.value as never)) {
        const list = out.get(table) ?? [];
        list.push(row);
        out.set(table, list);
      }
    }
  }
  return out;
}

/** Brings a row read back from a database to the logical form (times in ms, JSON parsed, numbers as numbers). */
export function normaliseRow(table: TableModel, raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of table.columns) {
    const v = raw[c.name];
    if (v === null || v === undefined) {
      out[c.name] = null;
      continue;
    }
    switch (c.type) {
      case 'time':
        out[c.name] = typeof v === 'string' && !/^\d+$/.test(v) ? Date.parse(v) : Number(v);
        break;
      case 'int':
      case 'float':
        out[c.name] = Number(v);
        break;
      case 'json':
        out[c.name] = typeof v === 'string' ? JSON.parse(v) : v;
        break;
      case 'date':
      case 'text':
        out[c.name] = typeof v === 'string' ? v : JSON.stringify(v);
        break;
      default: {
        const never: never = c.type;
        throw new Error(String(never));
      }
    }
  }
  return out;
}

/** Rows sorted by their natural key, for order-independent comparison. */
export function sortByKey(table: TableModel, rows: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  const key = (r: Record<string, unknown>) => JSON.stringify(table.key.map((k) => r[k]));
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Whether a consumer group has committed up to the end of every partition of the topics. */
export async function groupCaughtUp(stack: TestStack, groupId: string, topics: readonly string[]): Promise<boolean> {
  const admin = stack.kafka.admin();
  await admin.connect();
  try {
    const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const p of ends) {
        const c = mine.find((m) => m.partition === p.partition)?.offset ?? '-1';
        const end = BigInt(p.high);
        if (end > 0n && (c === '-1' || BigInt(c) < end)) return false;
      }
    }
    return true;
  } finally {
    await admin.disconnect();
  }
}

/** Reads a metric from an app's /metrics endpoint (0 when the app is not up yet). */
export async function scrapeMetric(port: number, name: string, labels: Record<string, string> = {}): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    return metricValue(await res.text(), name, labels);
  } catch {
    return 0;
  }
}

export interface SinkRun {
  rows: number;
  /** From the sink process start to the last row written (includes start-up, migrations, group join). */
  totalSeconds: number;
  /** From the first to the last row written: the sustained rate. */
  sustainedSeconds: number;
  rowsPerSecond: number;
}

/** Runs a sink app until it has written `rows` rows (read from its sink_rows_written_total) and measures the rates. */
export async function measureSinkRun(
  app: string,
  env: Record<string, string>,
  healthPort: number,
  rows: number,
  timeoutMs = 600_000,
): Promise<SinkRun> {
  const started = Date.now();
  const p = spawnApp(app, { ...env, HEALTH_PORT: String(healthPort), LOG_LEVEL: 'warn' });
  let first = 0;
  let written = 0;
  try {
    while (written < rows) {
      if (Date.now() - started > timeoutMs)
        throw new Error(`${app} wrote ${written} of ${rows} rows in ${timeoutMs} ms\n${p.output().slice(-3000)}`);
      if (p.child.exitCode !== null) throw new Error(`${app} exited\n${p.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
      written = await scrapeMetric(healthPort, 'sink_rows_written_total');
      if (written > 0 && first === 0) first = Date.now();
    }
  } finally {
    await stopApp(p);
  }
  const end = Date.now();
  const sustainedSeconds = (end - first) / 1000;
  return {
    rows: written,
    totalSeconds: (end - started) / 1000,
    sustainedSeconds,
    rowsPerSecond: Math.round(written / sustainedSeconds),
  };
}

/** A number option of a benchmark's command line (`--records 1000000`), or `fallback`. */
export const benchOption = (name: string, fallback: number, args = process.argv.slice(2)): number =>
  Number(args[args.indexOf(name) + 1] ?? 0) || fallback;

/** Values as the consumer hands them to a writer: offsets from `firstOffset` on, in one partition. */
export const asSinkRecords = (
  topic: string,
  values: readonly { key: string; value: unknown }[],
  firstOffset = 0,
  partition = 0,
): SinkRecord[] =>
  values.map((v, i) => ({
    topic,
    partition,
    offset: String(firstOffset + i),
    key: v.key,
    value: v.value,
    timestamp: 0,
    headers: {},
  }));

/**
 * A sink benchmark's start: the stack (provisioned), a topic prefix of its own and `--records` records of the topic
 * (1 000 000 unless told), as values to produce and as the consumer hands them to a writer.
 */
export async function sinkBench<T extends SinkTopic>(topic: T) {
  const records = benchOption('--records', 1_000_000);
  const stack = testStack();
  await provisionAll(stack);
  const prefix = uniquePrefix('bench');
  const values = sampleRecords(topic, prefix.slice(5, 11), records);
  return { stack, prefix, records, values, asRecords: asSinkRecords(topic, values) };
}

/**
 * Creates the prefixed sink topics and fills `<prefix><topic>` with the records through a producer of its own,
 * for a benchmark's sink to consume: how long producing them took.
 */
export async function prefillSinkTopic<T extends SinkTopic>(
  stack: TestStack,
  prefix: string,
  topic: T,
  records: readonly TestRecord<T>[],
): Promise<{ seconds: number; recordsPerSecond: number }> {
  await createSinkTopics(stack, prefix);
  const producer = await connectTestProducer(stack);
  const t = Date.now();
  await produceRecords(stack, producer, prefix, topic, records, 5_000);
  const seconds = (Date.now() - t) / 1000;
  await producer.disconnect();
  return { seconds, recordsPerSecond: Math.round(records.length / seconds) };
}

/** The records a test produced to one sink topic. */
export interface SinkBatch {
  topic: SinkTopic;
  records: readonly TestRecord[];
}

/** Rows read back from a table, in logical form (normaliseRow) and sorted by key. */
export const logicalRows = (table: TableModel, raw: readonly Record<string, unknown>[]): Record<string, unknown>[] =>
  sortByKey(
    table,
    raw.map((r) => normaliseRow(table, r)),
  );

/** Stops a sink (SIGTERM) that must exit cleanly: with code 0. */
export async function expectCleanStop(p: AppProcess): Promise<void> {
  await stopApp(p);
  expect(p.child.exitCode).toBe(0);
}

/** The kill test of a sink (sinkAttempts' killAndRestart): a wait is a label and its condition. */
export interface SinkKill {
  groupId: string;
  extra: Record<string, string>;
  wrote: [label: string, done: () => Promise<boolean>];
  killed: () => Promise<void>;
  restarted?: [label: string, done: () => Promise<boolean>];
}

/** One jest attempt's own Kafka side of a sink app's integration test (sinkAttempts). */
export interface SinkAttempt {
  prefix: string;
  /** the id in the attempt's records (sampleRecords): from its prefix */
  run: string;
  /** the attempt's prefixed sink topics */
  topics: string[];
  /** the attempt's own: a producer that knew the previous attempt's (deleted) topics keeps asking for them */
  producer: TopicProducer;
  /** every sink the attempt started: killed after it, their output shown unless it passed */
  running: AppProcess[];
  passed: boolean;
}

/** The attempt's own database, beside its topics (sinkAttempts). */
export interface SinkAttemptStore<A extends SinkAttempt> {
  /** Creates it once the attempt's topics and producer are there, setting the attempt's fields of it. */
  setUp(a: Partial<A>): void | Promise<void>;
  /** Removes it once the attempt's sinks are killed and its producer is gone; a field is missing if setUp failed. */
  tearDown(a: Partial<A>): void | Promise<void>;
  /** The sink app's variables for it. */
  env(a: A): Record<string, string>;
  /** A table's stored rows as the database gives them (expectTablesToHold). */
  rows?(a: A, table: TableModel): Promise<Record<string, unknown>[]>;
}

/**
 * Per-attempt isolation for a sink app's integration test file. jest retries a failed test once in the same
 * module: beforeEach gives every attempt its own prefix, topics, producer and database (the store's), and
 * afterEach kills the attempt's sinks and removes exactly what its beforeEach created, so a retry never meets the
 * first attempt's rows, dead letters or processes (the catalog is provisioned before all tests). A test body runs
 * in `isolated`; the attempt has passed only when the body resolved. Call it at the top of the test file: it
 * registers those jest hooks.
 */
export function sinkAttempts<A extends SinkAttempt>(
  stack: TestStack,
  app: string,
  tag: string,
  store: SinkAttemptStore<A>,
) {
  let attempt: Partial<SinkAttempt> | undefined;
  const ready = new WeakSet<Partial<SinkAttempt>>();

  beforeAll(async () => {
    await provisionAll(stack);
  });

  beforeEach(async () => {
    const prefix = uniquePrefix(tag);
    const a: Partial<SinkAttempt> = {
      prefix,
      run: prefix.slice(tag.length, tag.length + 6),
      running: [],
      passed: false,
    };
    attempt = a;
    await createSinkTopics(stack, prefix);
    a.topics = SINK_TOPICS.map((t) => `${prefix}${t}`);
    a.producer = await connectTestProducer(stack);
    await store.setUp(a as Partial<A>);
    ready.add(a);
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
    await store.tearDown(a as Partial<A>);
    if (a.topics) await deleteSinkTopics(stack, a.prefix!);
  });

  const startSink = (a: A, groupId: string, extra: Record<string, string> = {}): AppProcess => {
    const p = spawnApp(app, {
      ...store.env(a),
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
  const caughtUp = (a: A, groupId: string) => () => groupCaughtUp(stack, groupId, a.topics);

  return {
    isolated: (body: (a: A) => Promise<void>) => async (): Promise<void> => {
      const a = attempt;
      if (a === undefined || !ready.has(a)) throw new Error('the attempt was not set up (beforeEach failed)');
      await body(a as A);
      a.passed = true;
    },

    /** Starts the app on the attempt's topics and database, in group `groupId`; afterEach kills it. */
    startSink,

    /** Whether the group has consumed every topic of the attempt to its end. */
    caughtUp,

    /** Produces records to the attempt's copy of the topic. */
    produce: <T extends SinkTopic>(a: A, topic: T, records: readonly TestRecord<T>[], chunk?: number) =>
      produceRecords(stack, a.producer, a.prefix, topic, records, chunk),

    /** Produces the attempt's records of the nine topics (40 index records, 120 of each other topic). */
    async produceNineTopics(a: A): Promise<SinkBatch[]> {
      const batches: SinkBatch[] = SINK_TOPICS.map((topic) => ({
        topic,
        records: sampleRecords(topic, a.run, topic === 'syi.calculated' ? 40 : 120),
      }));
      for (const b of batches) await produceRecords(stack, a.producer, a.prefix, b.topic, b.records);
      return batches;
    },

    /** Every table of the attempt's database holds exactly the rows of these batches (store.rows reads them). */
    async expectTablesToHold(a: A, batches: readonly SinkBatch[]): Promise<void> {
      if (store.rows === undefined) throw new Error(`no rows() for ${app}'s tables`);
      for (const [table, rows] of expectedRows(batches)) {
        const model = TABLES[table as keyof typeof TABLES];
        const expected = logicalRows(model, rows);
        expect({ table, rows: logicalRows(model, await store.rows(a, model)) }).toEqual({ table, rows: expected });
      }
    },

    /**
     * A sink in group `groupId` (with `extra`) killed (SIGKILL) mid-batch, once `wrote`, then checked with `killed`;
     * a second sink in the same group runs until `restarted` (when given) and the group has caught up, and stops.
     */
    async killAndRestart(a: A, { groupId, extra, wrote, killed, restarted }: SinkKill): Promise<void> {
      const first = startSink(a, groupId, extra);
      await waitWhileAppRuns(first, wrote[0], wrote[1], 240_000, 20);
      first.child.kill('SIGKILL');
      await first.exited;
      await killed();

      const second = startSink(a, groupId, extra);
      if (restarted) await waitWhileAppRuns(second, restarted[0], restarted[1], 240_000);
      await waitWhileAppRuns(second, 'restarted sink caught up', caughtUp(a, groupId), 240_000);
      await stopApp(second);
    },
  };
}
