/**
 * processor-peg, -liquidity and -ray against the real broker and registry, run as child
 * processes on prefixed topics: a live synthetic market is produced in real time; every
 * (symbol, grid point) is published exactly once, with no gap, and equals the measures of the
 * index state replayed over the same inputs (methodology §2) — also when two processor-peg
 * instances share the shards and one of them is SIGKILLed.
 */
import { IndexState, validateEvent, type IndexEvent } from '@stableyield/index-engine';
import { prefixedTopic } from '@stableyield/kafka';
import { readTopic, waitFor } from '@stableyield/kafka/testing';
import type { TopicValues } from '@stableyield/schemas';
import { MEASURE_TOPIC, measureRecord, type InputRecord, type MeasureKind } from '@stableyield/stream';
import {
  httpOk,
  INPUT_TOPIC_NAMES,
  lastGridPoint,
  processorTestFile,
  provisionPrefixed,
  randomTestPort,
  stopApp,
  TEST_GRID_MS as GRID_MS,
  TEST_LATENESS_MS as LATENESS_MS,
  uniquePrefix,
  type AppProcess,
} from '@stableyield/stream/testing';

jest.setTimeout(300_000);
const { stack, apps, spawn, liveFeed, stopFeeds, stopApps } = processorTestFile();

afterEach(async () => {
  if (expect.getState().assertionCalls === 0 || process.env.SHOW_APP_LOGS)
    for (const a of apps) console.log(a.output().slice(-3000));
  // a test that fails before stopping its feed must not leave it producing into the retry or past afterAll
  await stopFeeds();
  await stopApps();
});

const port = randomTestPort;

const start = (kind: MeasureKind, prefix: string, healthPort: number): AppProcess =>
  spawn(`processor-${kind}`, prefix, healthPort);

type Published = TopicValues[(typeof MEASURE_TOPIC)[MeasureKind]];

async function published(kind: MeasureKind, prefix: string): Promise<Published[]> {
  const topic = MEASURE_TOPIC[kind];
  const messages = await readTopic(stack.kafka, prefixedTopic(prefix, topic), { done: () => false, timeoutMs: 2_000 });
  return Promise.all(messages.map((m) => stack.serde.deserialize(topic, m.value as Buffer)));
}

/**
 * Every symbol published up to near the end of the feed (each shard's watermark follows the events of its own
 * symbols).
 */
async function caughtUp(kind: MeasureKind, prefix: string, lastGrid: number): Promise<boolean> {
  const last = new Map<string, number>();
  for (const r of await published(kind, prefix)) last.set(r.symbol, Math.max(r.ts, last.get(r.symbol) ?? 0));
  return last.size === 6 && [...last.values()].every((ts) => ts >= lastGrid - 5_000);
}

/** The input events in event-time order (equal ts: in the order the inputs were produced). */
function eventsOf(produced: readonly InputRecord[]): IndexEvent[] {
  const events = produced.map((r) => {
    const parsed = validateEvent({ topic: r.topic, value: r.value });
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.event;
  });
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.ts - b.e.ts || a.i - b.i)
    .map((x) => x.e);
}

const close = (a: number | null, b: number | null) =>
  a === null || b === null
    ? a === b
    : a === b || Math.abs(a - b) <= Math.max(1e-12, 1e-9 * Math.max(Math.abs(a), Math.abs(b)));

/**
 * Every published record is the only one of its (symbol, T), the grid points of each symbol are
 * contiguous, and the values equal those of the replayed state at T. Returns the records compared.
 */
function expectExactMeasures(
  kind: MeasureKind,
  records: readonly Published[],
  produced: readonly InputRecord[],
): number {
  const bySymbol = new Map<string, number[]>();
  for (const r of records) bySymbol.set(r.symbol, [...(bySymbol.get(r.symbol) ?? []), r.ts]);
  expect([...bySymbol.keys()].sort()).toEqual(['DAI', 'FDUSD', 'PYUSD', 'USDC', 'USDT', 'USDe']);
  for (const [symbol, times] of bySymbol) {
    const sorted = [...times].sort((a, b) => a - b);
    expect({ symbol, duplicates: sorted.length - new Set(sorted).size }).toEqual({ symbol, duplicates: 0 });
    const gaps = sorted.filter((t, i) => i > 0 && t - (sorted[i - 1] as number) !== GRID_MS);
    expect({ symbol, gaps }).toEqual({ symbol, gaps: [] });
  }
  const events = eventsOf(produced);
  const wanted = new Map<number, Published[]>();
  for (const r of records) wanted.set(r.ts, [...(wanted.get(r.ts) ?? []), r]);
  const state = new IndexState();
  let next = 0;
  const mismatches: string[] = [];
  for (const T of [...wanted.keys()].sort((a, b) => a - b)) {
    while (next < events.length && (events[next] as IndexEvent).ts <= T) state.apply(events[next++] as IndexEvent);
    const measures = state.measuresAt(T);
    for (const r of wanted.get(T) ?? []) {
      const m = measures.find((x) => x.symbol === r.symbol)!;
      const expected = measureRecord(kind, m, T, state.methodologyVersion) as unknown as Record<
        string,
        number | string | null
      >;
      for (const [field, value] of Object.entries(r as unknown as Record<string, number | string | null>)) {
        const want = expected[field] as number | string | null;
        const same = typeof value === 'number' || value === null ? close(value, want as number | null) : value === want;
        if (!same) mismatches.push(`${r.symbol}@${T} ${field}: ${String(value)} ≠ ${String(want)}`);
      }
    }
  }
  expect(mismatches.slice(0, 10)).toEqual([]);
  return records.length;
}

it('peg, liquidity and RAY publish every (symbol, grid point) once, equal to the replayed measures', async () => {
  const prefix = uniquePrefix('measures');
  await provisionPrefixed(stack.kafka, stack.logger, stack.registryUrl, prefix);
  const feed = liveFeed(prefix, 5);
  const kinds: MeasureKind[] = ['peg', 'liquidity', 'ray'];
  const running = kinds.map((kind) => ({ kind, port: port(), app: undefined as AppProcess | undefined }));
  for (const r of running) r.app = start(r.kind, prefix, r.port);
  for (const r of running)
    await waitFor(`processor-${r.kind} ready`, () => httpOk(`http://127.0.0.1:${r.port}/ready`), 90_000);
  await waitFor(
    '20 grid points of RAY',
    async () => new Set((await published('ray', prefix)).map((r) => r.ts)).size >= 20,
    120_000,
    500,
  );
  await feed.stop();
  const lastGrid = lastGridPoint(feed.produced, LATENESS_MS, GRID_MS);
  for (const kind of kinds) {
    await waitFor(`${kind} up to the last grid point`, () => caughtUp(kind, prefix, lastGrid), 30_000, 500);
  }
  for (const r of running) await stopApp(r.app!, 'SIGTERM');
  for (const kind of kinds) {
    const records = await published(kind, prefix);
    expect(expectExactMeasures(kind, records, feed.produced)).toBeGreaterThan(60);
  }
  // the RAY records carry the very peg and liquidity scores published on their own topics
  const peg = new Map(
    (await published('peg', prefix)).map((r) => [`${r.symbol}@${r.ts}`, r as TopicValues['syi.peg']]),
  );
  const liq = new Map(
    (await published('liquidity', prefix)).map((r) => [`${r.symbol}@${r.ts}`, r as TopicValues['syi.liquidity']]),
  );
  let joined = 0;
  for (const r of (await published('ray', prefix)) as TopicValues['ray.calculated'][]) {
    const p = peg.get(`${r.symbol}@${r.ts}`);
    const l = liq.get(`${r.symbol}@${r.ts}`);
    if (p === undefined || l === undefined) continue;
    expect([r.pegScore, r.liquidityScore]).toEqual([p.pegScore, l.liquidityScore]);
    joined++;
  }
  expect(joined).toBeGreaterThan(60);
  // nothing dead-lettered: no input was late
  for (const topic of INPUT_TOPIC_NAMES)
    expect(
      await readTopic(stack.kafka, prefixedTopic(prefix, `${topic}.dlq`), { done: () => false, timeoutMs: 500 }),
    ).toEqual([]);
});

it('two processor-peg instances share the shards; a SIGKILLed one loses and duplicates nothing', async () => {
  const prefix = uniquePrefix('peg-scale');
  await provisionPrefixed(stack.kafka, stack.logger, stack.registryUrl, prefix);
  const feed = liveFeed(prefix, 5);
  const [pa, pb] = [port(), port() + 1];
  const a = start('peg', prefix, pa);
  await waitFor('first instance ready', () => httpOk(`http://127.0.0.1:${pa}/ready`), 90_000);
  const b = start('peg', prefix, pb);
  await waitFor('second instance ready', () => httpOk(`http://127.0.0.1:${pb}/ready`), 90_000);
  // both hold shards: each exports the records it wrote
  const outOf = async (p: number) => {
    const text = await (await fetch(`http://127.0.0.1:${p}/metrics`)).text();
    return Number(/processor_records_out_total\{[^}]*processor="peg"[^}]*\} (\d+)/.exec(text)?.[1] ?? '0');
  };
  await waitFor('both instances publishing', async () => (await outOf(pa)) > 0 && (await outOf(pb)) > 0, 60_000, 500);
  // each commit is one Kafka transaction, timed in processor_transaction_duration_seconds (docs/metrics.md)
  const transactions = /processor_transaction_duration_seconds_count\{[^}]*processor="peg"[^}]*\} (\d+)/.exec(
    await (await fetch(`http://127.0.0.1:${pa}/metrics`)).text(),
  );
  expect(Number(transactions?.[1] ?? '0')).toBeGreaterThan(0);
  await stopApp(a, 'SIGKILL');
  const killedAt = Date.now();
  const count = async () => (await published('peg', prefix)).length;
  const atKill = await count();
  // the survivor takes the dead instance's shards after its session (6 s) and catches up
  await waitFor(
    'survivor owns every shard',
    async () => (await outOf(pb)) > 0 && (await count()) >= atKill + 6 * 12,
    90_000,
    500,
  );
  const recoveredMs = Date.now() - killedAt;
  await feed.stop();
  const lastGrid = lastGridPoint(feed.produced, LATENESS_MS, GRID_MS);
  await waitFor('peg up to the last grid point', () => caughtUp('peg', prefix, lastGrid), 30_000, 500);
  await stopApp(b, 'SIGTERM');
  expect(expectExactMeasures('peg', await published('peg', prefix), feed.produced)).toBeGreaterThan(60);
  expect(recoveredMs).toBeLessThan(60_000);
  process.stdout.write(`processor-peg shard take-over and catch-up: ${recoveredMs} ms\n`);
});
