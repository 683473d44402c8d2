/**
 * Helpers for the processors' integration tests and benchmarks against the real stack.
 * Test and bench code only: never imported by an app.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INPUT_TOPICS, runReplay, type IndexRecord } from '@stableyield/index-engine';
import { DEFAULT_CLOCK_ADVANCE_MAX_MS } from './event-time-processor';
import {
  CATALOG,
  prefixedSpecs,
  prefixedTopic,
  provisionTopics,
  type Kafka,
  type RawRecord,
  type TopicProducer,
  type TopicSerde,
} from '@stableyield/kafka';
import {
  connectTestProducer,
  endOffsets,
  readTopic,
  repoRoot,
  spawnApp,
  stopApp,
  testStack,
  waitFor,
  type AppProcess,
  type TestStack,
} from '@stableyield/kafka/testing';
import { createRegistryClient, registerSchemas, type SyiRecord } from '@stableyield/schemas';
import type { Logger } from 'pino';
import { SyiProcessor } from './syi-processor';
import { replayLine, SyntheticMarket, type InputRecord } from './synthetic';

/**
 * The processors' Node options as deployed (k8s, helm, compose, run-local.sh): a larger young
 * generation, since scavenges were their largest single cost (1M-event bench: 17.9k → 20.8k events/s).
 */
export const PROCESSOR_NODE_OPTIONS = '--max-semi-space-size=32';

/** The processors' input topics (methodology §1). */
export const INPUT_TOPIC_NAMES = INPUT_TOPICS;

/**
 * A port for an app a test starts: random, below Linux's ephemeral range (32768 and up), where
 * the ports of outgoing connections (Kafka clients, HTTP) are taken from and would collide.
 */
export const randomTestPort = () => 20_000 + Math.floor(Math.random() * 12_000);

export const uniquePrefix = (name: string) => `test-${name}-${randomUUID().slice(0, 8)}.`;

/** Every topic a processor-syi run under the prefix needs, and the schemas. */
export async function provisionPrefixed(
  kafka: Kafka,
  logger: Logger,
  registryUrl: string,
  prefix: string,
): Promise<void> {
  const specs = [...prefixedSpecs(prefix, CATALOG), SyiProcessor.changelogSpec(prefix)];
  specs.push({
    name: prefixedTopic(prefix, 'processor-syi.lease'),
    key: 'none',
    partitions: 1,
    cleanupPolicy: 'delete',
    retentionMs: 3_600_000,
  });
  await provisionTopics(kafka, logger, { replicationFactor: 1, topics: specs });
  await registerSchemas(createRegistryClient(registryUrl));
}

/** Produces input records to their prefixed topics (Avro, keyed as the ingesters key them). */
export async function produceInputs(
  producer: TopicProducer,
  serde: TopicSerde,
  prefix: string,
  records: readonly InputRecord[],
): Promise<void> {
  const raw: RawRecord[] = [];
  for (const r of records)
    raw.push({
      topic: prefixedTopic(prefix, r.topic),
      key: r.key,
      value: await serde.serialize(r.topic, r.value),
      timestamp: r.value.ts,
    });
  // sendRaw cuts the writes into per-partition requests under the broker's request limit
  await producer.sendRaw(raw);
}

/**
 * Produces records in event-time order in slices of `sliceMs` of event time, each acknowledged
 * before the next is sent. A feed that falls behind (a stalled event loop) and then sends
 * seconds of records in one request would let a consumer see a later record on one partition
 * before an earlier one on another (a produce request is not atomic across partitions): with
 * slices shorter than the allowed lateness, every record is in the log before any record more
 * than one slice younger, as a real source that publishes as it observes.
 */
export async function produceInOrder(
  producer: TopicProducer,
  serde: TopicSerde,
  prefix: string,
  records: readonly InputRecord[],
  sliceMs: number,
): Promise<void> {
  let start = 0;
  while (start < records.length) {
    const sliceEnd = (records[start] as InputRecord).value.ts + sliceMs;
    let end = start;
    while (end < records.length && (records[end] as InputRecord).value.ts < sliceEnd) end++;
    await produceInputs(producer, serde, prefix, records.slice(start, end));
    start = end;
  }
}

/** The grid step and allowed lateness the processors run with in tests (processorEnv). */
export const TEST_GRID_MS = 1000;
export const TEST_LATENESS_MS = 200;

/** A processor's environment in a test: the test stack, `prefix`ed topics, health on `port`, the test grid. */
export function processorEnv(stack: TestStack, prefix: string, port: number): Record<string, string> {
  return {
    KAFKA_BROKERS: stack.brokers.join(','),
    SCHEMA_REGISTRY_URL: stack.registryUrl,
    TOPIC_PREFIX: prefix,
    HEALTH_PORT: String(port),
    GRID_INTERVAL_MS: String(TEST_GRID_MS),
    ALLOWED_LATENESS_MS: String(TEST_LATENESS_MS),
    LEASE_SESSION_TIMEOUT_MS: '6000',
    // On events alone: these tests feed the inputs from the test process, and with the clock a
    // stall of it longer than the 200 ms lateness would make inputs late (processors.md, "The
    // clock between events"). processor-syi's clock test and the system test run it as shipped.
    WATERMARK_CLOCK_MAX_MS: '0',
    LOG_LEVEL: process.env.APP_LOG_LEVEL ?? 'warn',
  };
}

/** What a processor test file shares: see processorTestFile. */
export interface ProcessorTestFile {
  stack: TestStack;
  /** the file's producer, connected before all its tests */
  producer: () => TopicProducer;
  /** the processes the file spawns: SIGKILLed after all its tests */
  apps: AppProcess[];
  /** `app` spawned with processorEnv (and `env` on top), pushed to `apps` */
  spawn: (app: string, prefix: string, port: number, env?: Record<string, string>) => AppProcess;
  /** startLiveFeed of `seed` on the file's producer; stopFeeds() stops it */
  liveFeed: (prefix: string, seed: number) => LiveFeed;
  /** stops every live feed started since the last call */
  stopFeeds: () => Promise<void>;
  /** SIGKILLs every app in `apps` and empties it */
  stopApps: () => Promise<void>;
}

/**
 * A processor test file's stack, producer (`producer()`, connected before all its tests) and the processes it spawns
 * (pushed to `apps`): after all its tests, every one of them is SIGKILLed and the producer disconnected.
 */
export function processorTestFile(stack: TestStack = testStack()): ProcessorTestFile {
  let connected: TopicProducer | undefined;
  const apps: AppProcess[] = [];
  const feeds: LiveFeed[] = [];
  beforeAll(async () => {
    connected = await connectTestProducer(stack);
  });
  afterAll(async () => {
    for (const a of apps) await stopApp(a, 'SIGKILL');
    await connected?.disconnect();
  });
  const producer = () => {
    if (connected === undefined) throw new Error('the producer connects in beforeAll');
    return connected;
  };
  const spawn = (app: string, prefix: string, port: number, env: Record<string, string> = {}) => {
    const spawned = spawnApp(app, { ...processorEnv(stack, prefix, port), ...env });
    apps.push(spawned);
    return spawned;
  };
  const liveFeed = (prefix: string, seed: number) => {
    const feed = startLiveFeed(producer(), stack.serde, prefix, seed);
    feeds.push(feed);
    return feed;
  };
  const stopFeeds = async () => {
    for (const f of feeds.splice(0)) await f.stop();
  };
  const stopApps = async () => {
    for (const a of apps.splice(0)) await stopApp(a, 'SIGKILL');
  };
  return { stack, producer, apps, spawn, liveFeed, stopFeeds, stopApps };
}

/**
 * processor-syi spawned on the test stack under `prefix` with the tests' grid and events alone
 * (processorEnv, `env` on top), health on a random port.
 */
export function spawnProcessorSyi(
  stack: TestStack,
  prefix: string,
  env: Record<string, string> = {},
): { app: AppProcess; port: number } {
  const port = randomTestPort();
  const app = spawnApp('processor-syi', { ...processorEnv(stack, prefix, port), ...env });
  return { app, port };
}

/** spawnProcessorSyi, once its /ready answers (60 s at most; an app that does not get there is SIGKILLed). */
export async function startProcessorSyi(
  stack: TestStack,
  prefix: string,
  env: Record<string, string> = {},
): Promise<{ app: AppProcess; port: number }> {
  const { app, port } = spawnProcessorSyi(stack, prefix, env);
  try {
    await waitFor('processor-syi ready', () => httpOk(`http://127.0.0.1:${port}/ready`), 60_000);
  } catch (error) {
    await stopApp(app, 'SIGKILL');
    throw error;
  }
  return { app, port };
}

/** The syi.calculated records committed under `prefix` so far (read_committed, reading for `timeoutMs`). */
export async function readSyiCalculated(
  stack: Pick<TestStack, 'kafka' | 'serde'>,
  prefix: string,
  timeoutMs: number,
): Promise<SyiRecord[]> {
  const messages = await readTopic(stack.kafka, prefixedTopic(prefix, 'syi.calculated'), {
    done: () => false,
    timeoutMs,
  });
  return Promise.all(messages.map((m) => stack.serde.deserialize('syi.calculated', m.value as Buffer)));
}

/** A synthetic market produced in real time (event time = wall time) until stopped. */
export interface LiveFeed {
  /** every record produced so far */
  readonly produced: InputRecord[];
  stop(): Promise<void>;
}

/** Starts producing the synthetic market of `seed` to `prefix`ed input topics as its event times come due. */
export function startLiveFeed(producer: TopicProducer, serde: TopicSerde, prefix: string, seed: number): LiveFeed {
  const market = new SyntheticMarket({ startMs: Date.now(), seed });
  const produced: InputRecord[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const batch = [...market.until(Date.now())];
      await produceInOrder(producer, serde, prefix, batch, 50);
      produced.push(...batch);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    produced,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** The last grid point a processor publishes for `records`: the watermark (newest event − lateness) floored. */
export function lastGridPoint(records: readonly InputRecord[], latenessMs: number, gridMs: number): number {
  const maxTs = Math.max(...records.map((r) => r.value.ts));
  return Math.floor((maxTs - latenessMs) / gridMs) * gridMs;
}

/**
 * As at ingest-market's first poll, where a later-stamped CryptoCompare price is written before an
 * earlier-stamped Binance one: every `every`-th record of a key trades places with that key's
 * previous one, so those partitions hold a later ts before an earlier one. In place; returns `records`.
 */
export function swapEveryNthOfKey<T extends { topic: string; key: string }>(records: T[], every = 7): T[] {
  const lastOfKey = new Map<string, number>();
  const seen = new Map<string, number>();
  records.forEach((r, i) => {
    const key = `${r.topic}/${r.key}`;
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    const previous = lastOfKey.get(key);
    if (previous !== undefined && count % every === 0)
      [records[previous], records[i]] = [records[i]!, records[previous]!];
    lastOfKey.set(key, i);
  });
  return records;
}

/**
 * Live records split at the end of the replay's grid, the largest input ts: a caught-up processor
 * goes on evaluating by the clock up to DEFAULT_CLOCK_ADVANCE_MAX_MS past its newest input, which
 * the replay of a finished run never reaches. `comparable` are the records to hold against the
 * replay; `problems` names any record further out than the clock may carry it.
 */
export function splitAtInputsEnd<R extends { ts: number }>(
  live: readonly R[],
  inputs: readonly { value: unknown }[],
): { comparable: R[]; beyond: R[]; problems: string[] } {
  const maxTs = Math.max(...inputs.map((r) => (r.value as { ts: number }).ts));
  const comparable = live.filter((r) => r.ts <= maxTs);
  const beyond = live.filter((r) => r.ts > maxTs);
  const problems = beyond
    .filter((r) => r.ts > maxTs + DEFAULT_CLOCK_ADVANCE_MAX_MS)
    .map((r) => `${r.ts}: published ${r.ts - maxTs} ms past the newest input (${maxTs})`);
  return { comparable, beyond, problems };
}

/** The replay of input records (in the order Kafka holds them per partition): the expected index. */
export async function replayOf(
  records: readonly { topic: string; value: unknown }[],
  intervalMs: number,
): Promise<IndexRecord[]> {
  const out: IndexRecord[] = [];
  await runReplay(
    records.map((r) => replayLine(r)),
    {
      intervalSeconds: intervalMs / 1000,
      skipInvalid: false,
      write: (text) =>
        void out.push(
          ...text
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as IndexRecord),
        ),
    },
  );
  return out;
}

const close = (a: number | null, b: number | null) =>
  a === null || b === null
    ? a === b
    : a === b || Math.abs(a - b) <= Math.max(1e-12, 1e-9 * Math.max(Math.abs(a), Math.abs(b)));

/** Methodology §6: same mode and eligible set; value, rpl, weights and RAYs within 1e-9 relative. */
export function matchesReplay(live: SyiRecord, expected: IndexRecord): string | null {
  if (live.ts !== expected.ts) return `ts ${live.ts} ≠ ${expected.ts}`;
  if (live.mode !== expected.mode) return `${live.ts}: mode ${live.mode} ≠ ${expected.mode}`;
  if (live.eligible !== expected.eligible) return `${live.ts}: eligible ${live.eligible} ≠ ${expected.eligible}`;
  if (!close(live.value, expected.value)) return `${live.ts}: value ${live.value} ≠ ${expected.value}`;
  if (!close(live.rpl, expected.rpl)) return `${live.ts}: rpl ${String(live.rpl)} ≠ ${String(expected.rpl)}`;
  for (let i = 0; i < expected.constituents.length; i++) {
    const a = live.constituents[i];
    const b = expected.constituents[i];
    if (a === undefined || b === undefined || a.symbol !== b.symbol) return `${live.ts}: constituent ${i} differs`;
    if (!close(a.weight, b.weight) || !close(a.ray, b.ray)) return `${live.ts}: ${a.symbol} weight/ray differ`;
  }
  return null;
}

// One implementation for every project's tests (libs/kafka/testing); re-exported where they used to live.
export { repoRoot, spawnApp, stopApp, type AppProcess };

/** GET a health endpoint; false when the app does not answer. */
export async function httpOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url);
    return res.ok;
  } catch {
    return false;
  }
}

/** Records on a prefixed topic (its end offsets summed: right for topics written without transactions). */
export async function recordCount(kafka: Kafka, prefix: string, topic: string): Promise<number> {
  const ends = await endOffsets(kafka, prefixedTopic(prefix, topic));
  return [...ends.values()].map(Number).reduce((a, b) => a + b, 0);
}

/** Every input record as Kafka holds it (per partition in offset order): exactly `produced` when given. */
export async function dumpInputs(
  stack: Pick<TestStack, 'kafka' | 'serde'>,
  prefix: string,
  produced?: readonly InputRecord[],
): Promise<{ topic: string; value: unknown }[]> {
  const out: { topic: string; value: unknown }[] = [];
  for (const topic of INPUT_TOPIC_NAMES) {
    const expected = produced
      ? produced.filter((r) => r.topic === topic).length
      : await recordCount(stack.kafka, prefix, topic);
    const messages =
      expected === 0
        ? []
        : await readTopic(stack.kafka, prefixedTopic(prefix, topic), {
            done: (m) => m.length >= expected,
            timeoutMs: 30_000,
          });
    if (messages.length !== expected)
      throw new Error(`${prefix}${topic}: read ${messages.length} of ${expected} records`);
    for (const m of messages) out.push({ topic, value: await stack.serde.deserialize(topic, m.value as Buffer) });
  }
  return out;
}

/** `syi replay` (apps/syi-cli), the command a user runs, over the given inputs. */
export function replayWithCommand(inputs: readonly { topic: string; value: unknown }[], gridMs: number): IndexRecord[] {
  const dir = mkdtempSync(join(tmpdir(), 'syi-replay-'));
  try {
    const file = join(dir, 'inputs.jsonl');
    writeFileSync(file, inputs.map((r) => replayLine(r as InputRecord)).join('\n') + '\n');
    const cli = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(repoRoot(), 'apps/syi-cli/src/main.ts'),
        'replay',
        '--input',
        file,
        '--interval',
        String(gridMs / 1000),
      ],
      {
        encoding: 'utf8',
        maxBuffer: 512 << 20,
      },
    );
    if (cli.status !== 0) throw new Error(`syi replay exited ${String(cli.status)}: ${cli.stderr}`);
    return cli.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as IndexRecord);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
