// The system benchmark: the whole pipeline (System: every app on the 3-broker cluster) at rising
// simulator rates (Hermes slots per second; each slot updates every feed, and ingest-hermes runs
// with HERMES_DEDUPE_KEY=slot so that every slot is an input event). For each rate, over a window:
// input events/s into Kafka; end-to-end latency from each input event's arrival at its ingester to
// the first index update reflecting it at a WebSocket client, and from grid time T to the record
// for T at the client (p50/p99); input events/s of each processor; processor-syi's watermark and
// consumer lag; the keeper's transaction latency; CPU and memory per app. It stops at the first
// rate where latency or lag is no longer stable.
// Writes artifacts/bench-system.{json,md,png}; prints the JSON.
//   npm run bench:system [-- RATE…]      (default rates 2.5 10 50 200 500 1000; BENCH_WINDOW_S, default 40;
//                                        BENCH_KAFKA=single: one broker, RF 1, instead of the cluster;
//                                        BENCH_SETTINGS=defaults: every app as `npm start` runs it — its own
//                                        defaults (grid, lateness, Hermes dedupe, poll intervals) — instead of
//                                        the benchmark's 200 ms lateness and one Hermes input a slot)
// As `npm start` runs it, at the simulator's default rate:
//   BENCH_KAFKA=single BENCH_SETTINGS=defaults BENCH_WINDOW_S=60 npm run --silent bench:system -- 2.5
import { readdirSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { prefixedTopic } from '@stableyield/kafka';
import { metricValue } from '@stableyield/sink-model/testing';
import { endOffsets, readTopic } from '@stableyield/kafka/testing';
import { INPUT_TOPIC_NAMES, repoRoot } from '@stableyield/stream/testing';
import { GRID_MS, System, SYSTEM_APPS, type StreamClient, type SystemApp } from '../src/testing';

const RATES = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const rates = RATES.length > 0 ? RATES : [2.5, 10, 50, 200, 500, 1000]; // 2.5: the simulator's default
const WINDOW_S = Number(process.env.BENCH_WINDOW_S ?? 40);
const CLOCK_TICKS = 100; // /proc/<pid>/stat times are in USER_HZ ticks (100 on Linux)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/** Every process: its parent, CPU seconds so far (user + system) and resident memory. */
function processTable(): Map<number, { ppid: number; cpuS: number; rssMb: number }> {
  const out = new Map<number, { ppid: number; cpuS: number; rssMb: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields from the state on: ppid is [1], utime [11], stime [12], rss in pages [21]
      out.set(Number(name), {
        ppid: Number(fields[1]),
        cpuS: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS,
        rssMb: (Number(fields[21]) * 4096) / 1024 / 1024,
      });
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/**
 * CPU seconds and resident memory of a process together with all its descendants (ws-gateway's
 * workers, PostgreSQL's backends); null when it is gone.
 */
function treeUsage(table: ReturnType<typeof processTable>, pid: number): { cpuS: number; rssMb: number } | null {
  if (!table.has(pid)) return null;
  let cpuS = 0,
    rssMb = 0;
  const pending = [pid];
  while (pending.length > 0) {
    const p = pending.pop()!;
    const usage = table.get(p);
    if (usage === undefined) continue;
    cpuS += usage.cpuS;
    rssMb += usage.rssMb;
    for (const [child, u] of table) if (u.ppid === p) pending.push(child);
  }
  return { cpuS, rssMb };
}

/** The stack's servers (Kafka, the registry, the databases, anvil…): name → pid, from the stack's pid files. */
function stackPids(): Map<string, number> {
  const dir = join(process.env.STACK_DIR ?? join(repoRoot(), '.stack'), 'pids');
  const out = new Map<string, number>();
  try {
    for (const file of readdirSync(dir)) {
      if (!file.endsWith('.pid') || file.startsWith('app-')) continue;
      out.set(file.slice(0, -4), Number(readFileSync(join(dir, file), 'utf8').trim()));
    }
  } catch {
    // no stack directory: only the apps are measured
  }
  return out;
}

/** CPU % over `seconds` and memory of each named process tree, from two process tables. */
function cpuBetween(
  pids: ReadonlyMap<string, number>,
  before: ReturnType<typeof processTable>,
  after: ReturnType<typeof processTable>,
  seconds: number,
): Record<string, { cpuPercent: number; rssMb: number }> {
  const out: Record<string, { cpuPercent: number; rssMb: number }> = {};
  for (const [name, pid] of pids) {
    const a = treeUsage(before, pid);
    const b = treeUsage(after, pid);
    if (a && b) out[name] = { cpuPercent: round(((b.cpuS - a.cpuS) / seconds) * 100), rssMb: round(b.rssMb) };
  }
  return out;
}

const totalCpu = (usage: Record<string, { cpuPercent: number }>) =>
  round(Object.values(usage).reduce((n, u) => n + u.cpuPercent, 0));

type Positions = Map<string, Map<number, string>>;

/** End offsets of every input topic, by topic and partition. */
async function inputPositions(system: System): Promise<Positions> {
  const positions: Positions = new Map();
  for (const t of INPUT_TOPIC_NAMES)
    positions.set(t, await endOffsets(system.stack.kafka, prefixedTopic(system.prefix, t)));
  return positions;
}

/** Records written to `topic` between two position snapshots. */
const topicRecordsBetween = (from: Positions, to: Positions, topic: string) =>
  [...(to.get(topic) ?? [])].reduce((n, [p, end]) => n + Number(end) - Number(from.get(topic)?.get(p) ?? 0), 0);

const recordsBetween = (from: Positions, to: Positions) =>
  [...to.keys()].reduce((n, topic) => n + topicRecordsBetween(from, to, topic), 0);

/**
 * Latency from each input event's arrival at its ingester (the record timestamp the ingesters set)
 * to the first index update that reflects it arriving at the WebSocket client: the record for the first grid
 * point T ≥ the event's ts that arrived after the event was written. This includes the wait for
 * the grid point itself (up to one grid interval). Events with no such update yet are left out.
 */
async function inputToClientLatencies(
  system: System,
  stream: StreamClient,
  from: Positions,
  to: Positions,
): Promise<number[]> {
  const latencies: number[] = [];
  const ts = stream.messages.map((m) => m.ts);
  const firstIndex = (values: readonly number[], min: number) => {
    let lo = 0,
      hi = values.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (values[mid]! < min) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  for (const topic of INPUT_TOPIC_NAMES) {
    const expected = topicRecordsBetween(from, to, topic);
    if (expected === 0) continue;
    const messages = await readTopic(system.stack.kafka, prefixedTopic(system.prefix, topic), {
      from: from.get(topic)!,
      done: (m) => m.length >= expected,
      timeoutMs: 60_000,
    });
    for (const m of messages) {
      const written = Number(m.timestamp);
      const value = (await system.stack.serde.deserialize(topic, m.value!)) as { ts: number };
      const grid = Math.ceil(value.ts / GRID_MS) * GRID_MS;
      const i = Math.max(firstIndex(ts, grid), firstIndex(stream.arrivals, written));
      if (i < ts.length) latencies.push(stream.arrivals[i]! - written);
    }
  }
  return latencies.sort((a, b) => a - b);
}

const PROCESSORS = ['processor-peg', 'processor-liquidity', 'processor-ray', 'processor-syi'] as const;

interface Step {
  tickRate: number;
  inputEventsPerSecond: number;
  /** input event written to Kafka → the first index update reflecting it at a WebSocket client */
  inputToClientMs: { p50: number; p99: number; samples: number };
  /** grid time T → the record for T at a WebSocket client */
  wsLatencyMs: { p50: number; p99: number; samples: number };
  /**
   * grid time T → processor-syi's commit of the record for T (mean; the rest of the way is Kafka → ws-gateway →
   * client)
   */
  syiCommitLatencyMeanMs: number | null;
  /** input records per second each processor took in (null: it was restarted in the window) */
  processorEventsPerSecond: Record<string, number | null>;
  /** apps that exited on their own in the window (the harness restarted them), with their last log */
  restarts: string[];
  watermarkLagMaxS: number;
  consumerLagMax: number;
  keeperTxLatencyMeanMs: number | null;
  /** input events processor-syi dead-lettered as late, since the system started */
  syiLateEvents: number;
  /** CPU (% of one core, with child processes) and memory of each app */
  apps: Record<string, { cpuPercent: number; rssMb: number }>;
  /** the apps' CPU added up */
  appsCpuPercent: number;
  /** the same for the stack's servers (broker, registry, databases, anvil) and their total */
  stack: Record<string, { cpuPercent: number; rssMb: number }>;
  stackCpuPercent: number;
  stable: boolean;
}

async function measure(system: System, tickRate: number, baselineP99: number | null): Promise<Step> {
  await system.tickRate(tickRate);
  await sleep(5_000);
  const pids = system.pids();
  const stack = stackPids();
  const table0 = processTable();
  const processors0 = await Promise.all(PROCESSORS.map((p) => system.metrics(p)));
  const restarts0 = system.restarts.length;
  const keeper0 = await system.metrics('keeper');
  const inputs0 = await inputPositions(system);
  const stream = system.streams[0]!;
  const from = stream.messages.length;
  const t0 = Date.now();
  let watermarkLagMax = 0;
  let consumerLagMax = 0;
  while (Date.now() - t0 < WINDOW_S * 1000) {
    await sleep(2_000);
    const text = await system.metrics('processor-syi');
    watermarkLagMax = Math.max(watermarkLagMax, metricValue(text, 'processor_watermark_lag_seconds'));
    consumerLagMax = Math.max(consumerLagMax, metricValue(text, 'kafka_consumer_lag'));
  }
  const seconds = (Date.now() - t0) / 1000;
  const table1 = processTable();
  const inputs1 = await inputPositions(system);
  const processors1 = await Promise.all(PROCESSORS.map((p) => system.metrics(p)));
  const keeper1 = await system.metrics('keeper');
  const latencies = stream.messages
    .slice(from)
    .map((m, i) => stream.arrivals[from + i]! - m.ts)
    .sort((a, b) => a - b);
  // counted after the window (reading the topics is work of its own); updates arriving since count too
  await sleep(3_000);
  const inputLatencies = await inputToClientLatencies(system, stream, inputs0, inputs1);
  const recordsIn = (text: string) => metricValue(text, 'processor_records_in_total');
  const apps = cpuBetween(pids, table0, table1, seconds);
  const stackUsage = cpuBetween(stack, table0, table1, seconds);
  const syiIndex = PROCESSORS.indexOf('processor-syi');
  const commitCount =
    metricValue(processors1[syiIndex]!, 'processor_evaluation_latency_seconds_count') -
    metricValue(processors0[syiIndex]!, 'processor_evaluation_latency_seconds_count');
  const commitSum =
    metricValue(processors1[syiIndex]!, 'processor_evaluation_latency_seconds_sum') -
    metricValue(processors0[syiIndex]!, 'processor_evaluation_latency_seconds_sum');
  const txCount = metricValue(keeper1, 'tx_latency_seconds_count') - metricValue(keeper0, 'tx_latency_seconds_count');
  const txSum = metricValue(keeper1, 'tx_latency_seconds_sum') - metricValue(keeper0, 'tx_latency_seconds_sum');
  const p99 = percentile(latencies, 99);
  return {
    tickRate,
    inputEventsPerSecond: round(recordsBetween(inputs0, inputs1) / seconds),
    inputToClientMs: {
      p50: round(percentile(inputLatencies, 50)),
      p99: round(percentile(inputLatencies, 99)),
      samples: inputLatencies.length,
    },
    wsLatencyMs: { p50: round(percentile(latencies, 50)), p99: round(p99), samples: latencies.length },
    syiCommitLatencyMeanMs: commitCount > 0 ? round((commitSum / commitCount) * 1000) : null,
    processorEventsPerSecond: Object.fromEntries(
      PROCESSORS.map((p, i) => {
        const delta = recordsIn(processors1[i]!) - recordsIn(processors0[i]!);
        return [p, delta < 0 ? null : round(delta / seconds)]; // a restart resets the counter
      }),
    ),
    restarts: system.restarts.slice(restarts0),
    watermarkLagMaxS: round(watermarkLagMax, 2),
    consumerLagMax,
    keeperTxLatencyMeanMs: txCount > 0 ? round((txSum / txCount) * 1000) : null,
    syiLateEvents: metricValue(processors1[syiIndex]!, 'processor_late_events_total'),
    apps,
    appsCpuPercent: totalCpu(apps),
    stack: stackUsage,
    stackCpuPercent: totalCpu(stackUsage),
    // stable: (nearly) every grid point delivered, the watermark keeping up, p99 within 3× the lowest rate's
    stable: latencies.length >= seconds * 0.8 && watermarkLagMax < 5 && p99 < 3 * (baselineP99 ?? p99),
  };
}

function markdown(steps: readonly Step[]): string {
  return [
    '# System benchmark',
    '',
    '| tick rate | input events/s | input → client p50 / p99 (ms) | grid T → client p50 / p99 (ms) ' +
      '| grid T → processor-syi commit, mean (ms) | processor-peg / -syi events/s | watermark lag max (s) ' +
      '| consumer lag max | keeper tx (ms) | stable |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...steps.map(
      (s) =>
        `| ${s.tickRate} | ${s.inputEventsPerSecond} | ${s.inputToClientMs.p50} / ${s.inputToClientMs.p99} ` +
        `| ${s.wsLatencyMs.p50} / ${s.wsLatencyMs.p99} | ${s.syiCommitLatencyMeanMs ?? '—'} ` +
        `| ${s.processorEventsPerSecond['processor-peg'] ?? 'restarted'} ` +
        `/ ${s.processorEventsPerSecond['processor-syi'] ?? 'restarted'} ` +
        `| ${s.watermarkLagMaxS} | ${s.consumerLagMax} | ${s.keeperTxLatencyMeanMs ?? '—'} ` +
        `| ${s.stable ? 'yes' : 'no'} |`,
    ),
    '',
    "input → client: from an input event's arrival at its ingester to the first index update reflecting it " +
      'at a WebSocket client (includes the wait for its grid point, up to 1 s).',
    'grid T → client: from grid time T to the record for T at the client; ' +
      "it includes the processors' allowed lateness (200 ms).",
    '',
  ].join('\n');
}

/** Latency against input rate as an SVG line chart, rendered to PNG by Debian's chromium. */
async function plot(steps: readonly Step[], file: string): Promise<void> {
  const W = 720,
    H = 420,
    L = 70,
    B = 50,
    T = 30,
    R = 20;
  const xs = steps.map((s) => s.inputEventsPerSecond);
  const ys = steps.flatMap((s) => [s.inputToClientMs.p50, s.inputToClientMs.p99]);
  const xMax = Math.max(...xs) * 1.1 || 1,
    yMax = Math.max(...ys) * 1.1 || 1;
  const x = (v: number) => L + (v / xMax) * (W - L - R);
  const y = (v: number) => H - B - (v / yMax) * (H - B - T);
  const line = (key: 'p50' | 'p99', color: string) =>
    `<polyline fill="none" stroke="${color}" stroke-width="2" ` +
    `points="${steps.map((s) => `${x(s.inputEventsPerSecond)},${y(s.inputToClientMs[key])}`).join(' ')}"/>` +
    steps
      .map((s) => `<circle cx="${x(s.inputEventsPerSecond)}" cy="${y(s.inputToClientMs[key])}" r="3" fill="${color}"/>`)
      .join('');
  const ticks = (n: number, max: number, f: (v: number) => string) =>
    Array.from({ length: n + 1 }, (_, i) => f((max * i) / n)).join('');
  const svgOpen =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" ` + 'font-family="sans-serif" font-size="12">';
  const title =
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14">` +
    'End-to-end latency (input event → WebSocket client) against input rate</text>';
  const axes =
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/>` +
    `<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>`;
  const legend =
    `<text x="${W - R - 90}" y="${T + 10}" fill="#1f77b4">p50</text>` +
    `<text x="${W - R - 50}" y="${T + 10}" fill="#d62728">p99</text>`;
  const svg = `${svgOpen}
    <rect width="100%" height="100%" fill="white"/>
    ${title}
    ${axes}
    ${ticks(5, xMax, (v) => `<text x="${x(v)}" y="${H - B + 16}" text-anchor="middle">${Math.round(v)}</text>`)}
    ${ticks(5, yMax, (v) => `<text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${Math.round(v)}</text>`)}
    <text x="${W / 2}" y="${H - 10}" text-anchor="middle">input events/s</text>
    <text x="16" y="${H / 2}" transform="rotate(-90 16 ${H / 2})" text-anchor="middle">latency (ms)</text>
    ${line('p50', '#1f77b4')}${line('p99', '#d62728')}
    ${legend}
  </svg>`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: W, height: H } });
    await page.setContent(`<html><body style="margin:0">${svg}</body></html>`);
    await page.screenshot({ path: file });
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  // production's allowed lateness: the latency measured is the one users get (late events go to the DLQ, counted)
  // HERMES_DEDUPE_KEY=slot: every simulator slot is an input event, so the tick rate sets the input rate
  // BENCH_KAFKA=single: the stack's one broker instead of the 3-broker cluster (RF 1), to see what
  // the three broker JVMs on the same two cores cost
  const kafka = process.env.BENCH_KAFKA === 'single' ? 'single' : 'cluster';
  const appDefaults = process.env.BENCH_SETTINGS === 'defaults';
  const system = new System({ wsClients: 1, latenessMs: 200, hermesDedupe: 'slot', kafka, appDefaults });
  const steps: Step[] = [];
  try {
    await system.start();
    system.startIngesters();
    await sleep(20_000);
    for (const rate of rates) {
      const step = await measure(system, rate, steps[0]?.wsLatencyMs.p99 ?? null);
      steps.push(step);
      process.stderr.write(
        `tick rate ${rate}: ${step.inputEventsPerSecond} input events/s, ` +
          `input → client p99 ${step.inputToClientMs.p99} ms, grid → client p99 ${step.wsLatencyMs.p99} ms, ` +
          `stable ${step.stable}\n`,
      );
      if (!step.stable) break;
    }
  } finally {
    await system.stop();
  }
  const result = {
    benchmark: 'system',
    cpus: 2,
    kafka,
    settings: appDefaults ? 'defaults' : 'benchmark',
    gridMs: GRID_MS,
    windowSeconds: WINDOW_S,
    apps: [...SYSTEM_APPS] as SystemApp[],
    maxStableInputEventsPerSecond: Math.max(0, ...steps.filter((s) => s.stable).map((s) => s.inputEventsPerSecond)),
    targets: { inputToClientP99MsAtDefaultRate: 1000, inputEventsPerSecond: 5000 },
    steps,
  };
  const dir = join(repoRoot(), 'artifacts');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'bench-system.json'), JSON.stringify(result, null, 2));
  writeFileSync(join(dir, 'bench-system.md'), markdown(steps));
  if (steps.length > 0) await plot(steps, join(dir, 'bench-system.png'));
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
