/**
 * processor-syi against the real broker and registry, run as child processes on prefixed topics:
 * a live synthetic market is produced in real time; the published `syi.calculated` must be the
 * replay of the input topics (methodology §6), chained, without gaps or duplicates — across
 * SIGKILLs and a standby take-over.
 */
import { DEFAULT_GRID_INTERVAL_MS } from '@stableyield/config';
import { prefixedTopic } from '@stableyield/kafka';
import { endOffsets, readTopic, waitFor } from '@stableyield/kafka/testing';
import type { SyiRecord } from '@stableyield/schemas';
import { SyntheticMarket, verifyChain, type InputRecord } from '@stableyield/stream';
import { simulatedMarketUpstreams } from '@stableyield/market-model';
import {
  dumpInputs as sharedDumpInputs,
  httpOk,
  INPUT_TOPIC_NAMES,
  lastGridPoint,
  splitAtInputsEnd,
  matchesReplay,
  produceInputs,
  provisionPrefixed,
  recordCount as sharedRecordCount,
  randomTestPort,
  replayOf,
  replayWithCommand as sharedReplayWithCommand,
  processorTestFile,
  readSyiCalculated,
  spawnApp,
  stopApp,
  TEST_GRID_MS as GRID_MS,
  TEST_LATENESS_MS as LATENESS_MS,
  uniquePrefix,
  type AppProcess,
  type LiveFeed,
} from '@stableyield/stream/testing';

jest.setTimeout(300_000);
const { stack, producer, apps, spawn, liveFeed } = processorTestFile();

/** Collects syi.calculated (read_committed) in the background. */
function collectOutput(prefix: string, timeoutMs = 170_000) {
  const records: SyiRecord[] = [];
  // set by finish(): the number of committed records the topic holds then
  let stopAt: number | null = null;
  const done = readTopic(stack.kafka, prefixedTopic(prefix, 'syi.calculated'), {
    done: (m) => stopAt !== null && m.length >= stopAt,
    timeoutMs,
  }).then(async (messages) => {
    records.length = 0;
    for (const m of messages) records.push(await stack.serde.deserialize('syi.calculated', m.value as Buffer));
  });
  /** what is committed so far, read directly */
  const current = async (): Promise<SyiRecord[]> => {
    const messages = await readTopic(stack.kafka, prefixedTopic(prefix, 'syi.calculated'), {
      done: () => false,
      timeoutMs: 1_500,
    });
    return Promise.all(messages.map((m) => stack.serde.deserialize('syi.calculated', m.value as Buffer)));
  };
  return {
    current,
    /** Every record published so far (call after the processors stopped). */
    async finish(): Promise<SyiRecord[]> {
      stopAt = (await current()).length;
      await done;
      return records;
    },
  };
}

async function countOf(prefix: string): Promise<number> {
  const ends = await endOffsets(stack.kafka, prefixedTopic(prefix, 'syi.calculated'));
  return Number(ends.get(0) ?? '0');
}

const recordCount = (prefix: string, topic: string) => sharedRecordCount(stack.kafka, prefix, topic);
const dumpInputs = (prefix: string, produced?: readonly InputRecord[]) => sharedDumpInputs(stack, prefix, produced);
const replayWithCommand = (inputs: readonly { topic: string; value: unknown }[]) =>
  sharedReplayWithCommand(inputs, GRID_MS);

const start = (prefix: string, port: number): AppProcess => spawn('processor-syi', prefix, port);

/** No input was late or invalid: nothing in any input DLQ (a late input makes the replay differ). */
async function expectNoDeadLetters(prefix: string): Promise<void> {
  const dead: string[] = [];
  for (const topic of INPUT_TOPIC_NAMES) {
    const count = await recordCount(prefix, `${topic}.dlq`);
    if (count > 0) dead.push(`${topic}: ${count}`);
  }
  expect(dead).toEqual([]);
}

/** The published records equal the replay of the inputs at every published grid point, chained from the first. */
async function expectReplayEquality(
  prefix: string,
  produced: readonly InputRecord[],
  live: readonly SyiRecord[],
): Promise<void> {
  expect(live.length).toBeGreaterThan(10);
  await expectNoDeadLetters(prefix);
  expect(verifyChain(live, null)).toEqual([]);
  const inputs = await dumpInputs(prefix, produced);
  const expected = await replayOf(inputs, GRID_MS);
  const { comparable, problems } = splitAtInputsEnd(live, inputs);
  expect(problems).toEqual([]);
  const last = comparable[comparable.length - 1] as SyiRecord;
  const expectedUpToLast = expected.filter((r) => r.ts <= last.ts);
  expect(comparable.map((r) => r.ts)).toEqual(expectedUpToLast.map((r) => r.ts));
  const mismatches = comparable.map((r, i) => matchesReplay(r, expectedUpToLast[i] as never)).filter((m) => m !== null);
  expect(mismatches).toEqual([]);
}

/** Waits until the published records reach grid point `ts`, the last one `what` allows. */
async function waitForGridPoint(output: ReturnType<typeof collectOutput>, ts: number, what: string): Promise<void> {
  const reached = async () => {
    const records = await output.current();
    return records.length > 0 && (records[records.length - 1] as SyiRecord).ts >= ts;
  };
  await waitFor(`the last grid point ${what} allows`, reached, 30_000, 500);
}

/**
 * Stops the feed, waits until `app` has published the last grid point the feed's events allow, stops it (SIGTERM)
 * and expects the published records to be the replay of the inputs.
 */
async function finishAndCompare(
  prefix: string,
  feed: LiveFeed,
  output: ReturnType<typeof collectOutput>,
  app: AppProcess,
): Promise<void> {
  await feed.stop();
  await waitForGridPoint(output, lastGridPoint(feed.produced, LATENESS_MS, GRID_MS), 'the watermark');
  await stopApp(app, 'SIGTERM');
  await expectReplayEquality(prefix, feed.produced, await output.finish());
}

const port = randomTestPort;

it('publishes exactly the replay of its inputs across SIGKILLs at any moment', async () => {
  const prefix = uniquePrefix('syi-kill');
  await provisionPrefixed(stack.kafka, stack.logger, stack.registryUrl, prefix);
  const output = collectOutput(prefix);
  const feed = liveFeed(prefix, 11);
  const p = port();
  let app = start(prefix, p);
  await waitFor('processor-syi ready', () => httpOk(`http://127.0.0.1:${p}/ready`), 60_000);
  for (let kill = 0; kill < 3; kill++) {
    const before = await countOf(prefix);
    // let it publish a few records, then kill it mid-flight (a transaction is usually open)
    await waitFor('records published', async () => (await countOf(prefix)) >= before + 6 + kill, 60_000, 50);
    await new Promise((r) => setTimeout(r, 137 * kill));
    await stopApp(app, 'SIGKILL');
    app = start(prefix, p);
    await waitFor('processor-syi ready again', () => httpOk(`http://127.0.0.1:${p}/ready`), 60_000);
  }
  await waitFor('records after the last restart', async () => (await countOf(prefix)) >= 30, 90_000, 200);
  await finishAndCompare(prefix, feed, output, app);
});

it('a standby takes over within 30 s when the active instance dies', async () => {
  const prefix = uniquePrefix('syi-standby');
  await provisionPrefixed(stack.kafka, stack.logger, stack.registryUrl, prefix);
  const output = collectOutput(prefix);
  const feed = liveFeed(prefix, 11);
  const [pa, pb] = [port(), port() + 1];
  const active = start(prefix, pa);
  await waitFor('active ready', () => httpOk(`http://127.0.0.1:${pa}/ready`), 60_000);
  const standby = start(prefix, pb);
  await waitFor('standby serving health', () => httpOk(`http://127.0.0.1:${pb}/live`), 60_000);
  // the standby's joining the lease group must not disturb the active: it keeps the lease and publishes
  const joined = await countOf(prefix);
  await waitFor(
    'records published after the standby joined',
    async () => (await countOf(prefix)) >= joined + 8,
    60_000,
    100,
  );
  expect(active.child.exitCode).toBeNull();
  expect(await httpOk(`http://127.0.0.1:${pa}/ready`)).toBe(true);
  expect(await httpOk(`http://127.0.0.1:${pb}/ready`)).toBe(false);
  await stopApp(active, 'SIGKILL');
  const killedAt = Date.now();
  await waitFor('standby ready', () => httpOk(`http://127.0.0.1:${pb}/ready`), 30_000, 100);
  const before = await countOf(prefix);
  await waitFor('standby publishing', async () => (await countOf(prefix)) > before, 30_000, 50);
  const takeoverMs = Date.now() - killedAt;
  expect(takeoverMs).toBeLessThan(30_000);
  await finishAndCompare(prefix, feed, output, standby);
  process.stdout.write(`standby take-over: ${takeoverMs} ms\n`);
});

it('catches up a backlog whose records outgrow one record batch per transaction', async () => {
  // About an hour of market at once; one long commit interval makes a transaction hold every
  // record of the catch-up (megabytes on the one output partition, above the broker's 1 MiB batch limit).
  const prefix = uniquePrefix('syi-backlog');
  await provisionPrefixed(stack.kafka, stack.logger, stack.registryUrl, prefix);
  // Recent event times: the broker deletes records older than a topic's retention (7 days).
  const market = new SyntheticMarket({ startMs: Date.now() - 3 * 3_600_000, seed: 5 });
  const produced = market.take(120_000);
  await produceInputs(producer(), stack.serde, prefix, produced);
  const lastGrid = lastGridPoint(produced, LATENESS_MS, GRID_MS);
  const p = port();
  const app = spawn('processor-syi', prefix, p, { COMMIT_INTERVAL_MS: '120000' });
  const messages = await readTopic(stack.kafka, prefixedTopic(prefix, 'syi.calculated'), {
    done: (m) => m.length > 0 && Number(m[m.length - 1]!.timestamp) >= lastGrid,
    timeoutMs: 150_000,
  });
  expect(app.child.exitCode).toBeNull();
  await stopApp(app, 'SIGTERM');
  const bytes = messages.reduce((n, m) => n + (m.value?.length ?? 0), 0);
  expect(bytes).toBeGreaterThan(1_100_000);
  const live = await Promise.all(messages.map((m) => stack.serde.deserialize('syi.calculated', m.value as Buffer)));
  await expectReplayEquality(prefix, produced, live);
});

it('goes on by the clock past its newest input at the shipped settings (250 ms grid, clock up to 2 s)', async () => {
  // The other tests here run the processor on events alone (processorEnv: a stall of this test
  // process would make its inputs late). Here: a minute of market up to now, then nothing; the
  // clock must carry the watermark past the newest input, and no further than 2 s.
  const prefix = uniquePrefix('syi-clock');
  await provisionPrefixed(stack.kafka, stack.logger, stack.registryUrl, prefix);
  const produced = [...new SyntheticMarket({ startMs: Date.now() - 60_000, seed: 12 }).until(Date.now())];
  await produceInputs(producer(), stack.serde, prefix, produced);
  const maxTs = Math.max(...produced.map((r) => r.value.ts));
  const app = spawn('processor-syi', prefix, port(), {
    GRID_INTERVAL_MS: String(DEFAULT_GRID_INTERVAL_MS),
    WATERMARK_CLOCK_MAX_MS: '2000',
  });
  // the last grid point the clock may reach: 2 s past the newest input, less the lateness
  const clockEnd = Math.floor((maxTs + 2_000 - LATENESS_MS) / DEFAULT_GRID_INTERVAL_MS) * DEFAULT_GRID_INTERVAL_MS;
  await readTopic(stack.kafka, prefixedTopic(prefix, 'syi.calculated'), {
    done: (m) => m.length > 0 && Number(m[m.length - 1]!.timestamp) >= clockEnd,
    timeoutMs: 90_000,
  });
  await new Promise((r) => setTimeout(r, 2_000)); // nothing more may come
  expect(app.child.exitCode).toBeNull();
  await stopApp(app, 'SIGTERM');
  const all = await readSyiCalculated(stack, prefix, 3_000);
  expect(all.at(-1)!.ts).toBe(clockEnd);
  expect(all.map((r) => r.ts).every((t, i, ts) => i === 0 || t - ts[i - 1]! === DEFAULT_GRID_INTERVAL_MS)).toBe(true);
  await expectNoDeadLetters(prefix);
  expect(verifyChain(all, null)).toEqual([]);
  const inputs = await dumpInputs(prefix, produced);
  const { comparable, beyond, problems } = splitAtInputsEnd(all, inputs);
  expect(problems).toEqual([]);
  expect(beyond.length).toBeGreaterThan(0);
  const expected = await replayOf(inputs, DEFAULT_GRID_INTERVAL_MS);
  const expectedRange = expected.filter((r) => r.ts <= comparable.at(-1)!.ts);
  expect(comparable.map((r) => r.ts)).toEqual(expectedRange.map((r) => r.ts));
  expect(comparable.map((r, i) => matchesReplay(r, expectedRange[i] as never)).filter((m) => m !== null)).toEqual([]);
});

it('equals the replay of its inputs over a live run of the market simulator through the real ingesters', async () => {
  // market-sim (Hermes SSE, CryptoCompare, Binance, DefiLlama, FRED) → ingest-hermes and
  // ingest-market → the input topics → processor-syi, for several minutes; then the input
  // topics are dumped and replayed with `syi replay`, and every grid point published live must
  // equal the replay (methodology §6). The CryptoCompare and DefiLlama polls run faster than in
  // production so that several of each land inside the run.
  const RUN_MS = Number(process.env.MARKET_SIM_RUN_MS ?? 180_000);
  const prefix = uniquePrefix('syi-sim');
  await provisionPrefixed(stack.kafka, stack.logger, stack.registryUrl, prefix);
  const output = collectOutput(prefix, RUN_MS + 120_000);
  const [simPort, simHealth, hermesHealth, marketHealth, syiHealth] = [
    port(),
    port() + 1,
    port() + 2,
    port() + 3,
    port() + 4,
  ];
  const sim = `http://127.0.0.1:${simPort}`;
  const kafkaEnv = {
    KAFKA_BROKERS: stack.brokers.join(','),
    SCHEMA_REGISTRY_URL: stack.registryUrl,
    TOPIC_PREFIX: prefix,
    LOG_LEVEL: 'warn',
  };
  const simApp = spawnApp('market-sim', {
    MARKET_SIM_PORT: String(simPort),
    MARKET_SIM_HEALTH_PORT: String(simHealth),
    MARKET_SIM_SEED: '7',
    LOG_LEVEL: 'warn',
  });
  apps.push(simApp);
  await waitFor('market-sim serving', () => httpOk(`http://127.0.0.1:${simHealth}/ready`), 60_000);
  const processor = start(prefix, syiHealth);
  await waitFor('processor-syi ready', () => httpOk(`http://127.0.0.1:${syiHealth}/ready`), 60_000);
  const ingesters = [
    spawnApp('ingest-hermes', { ...kafkaEnv, HEALTH_PORT: String(hermesHealth), HERMES_URL: `${sim}/hermes` }),
    spawnApp('ingest-market', {
      ...kafkaEnv,
      HEALTH_PORT: String(marketHealth),
      ...simulatedMarketUpstreams(sim),
      CRYPTOCOMPARE_INTERVAL_MS: '20000',
      DEFILLAMA_YIELDS_INTERVAL_MS: '60000',
      DEFILLAMA_STABLECOINS_INTERVAL_MS: '60000',
    }),
  ];
  apps.push(...ingesters);
  await new Promise((r) => setTimeout(r, RUN_MS));
  for (const app of ingesters)
    expect([app.child.exitCode, app.output().slice(-2_000)]).toEqual([null, expect.any(String)]);
  for (const app of ingesters) await stopApp(app, 'SIGTERM');
  const inputs = await dumpInputs(prefix);
  const counts = Object.fromEntries(INPUT_TOPIC_NAMES.map((t) => [t, inputs.filter((r) => r.topic === t).length]));
  process.stdout.write(`market-sim live run: ${JSON.stringify(counts)}\n`);
  for (const topic of INPUT_TOPIC_NAMES) expect([topic, counts[topic]! > 0]).toEqual([topic, true]);
  const maxTs = Math.max(...inputs.map((r) => (r.value as { ts: number }).ts));
  await waitForGridPoint(output, Math.floor((maxTs - LATENESS_MS) / GRID_MS) * GRID_MS, 'the inputs');
  expect(processor.child.exitCode).toBeNull();
  await stopApp(processor, 'SIGTERM');
  const live = await output.finish();
  expect(live.length).toBeGreaterThan(RUN_MS / GRID_MS / 2);
  await expectNoDeadLetters(prefix);
  expect(verifyChain(live, null)).toEqual([]);
  const expected = replayWithCommand(inputs);
  const { comparable, problems } = splitAtInputsEnd(live, inputs);
  expect(problems).toEqual([]);
  const last = comparable[comparable.length - 1] as SyiRecord;
  const expectedRange = expected.filter((r) => r.ts <= last.ts);
  expect(comparable.map((r) => r.ts)).toEqual(expectedRange.map((r) => r.ts));
  expect(comparable.map((r, i) => matchesReplay(r, expectedRange[i] as never)).filter((m) => m !== null)).toEqual([]);
}, 600_000);
