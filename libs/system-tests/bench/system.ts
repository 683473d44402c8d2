// The system benchmark: the whole pipeline (System: every app on the 3-broker cluster) at rising
// simulator rates (Hermes slots per second; each slot updates every feed). For each rate, over a
// window: input events/s into Kafka, end-to-end latency from grid time T to the record for T
// reaching a WebSocket client (p50/p99: the index at T covers input events up to T), processor-syi
// input throughput, its watermark lag and consumer lag, the keeper's transaction latency, and CPU
// and memory per app. It stops at the first rate where latency or lag is no longer stable.
// Writes artifacts/bench-system.{json,md,png}; prints the JSON.
//   npm run bench:system [-- RATE…]      (default rates 1 2 5 10 20 40; BENCH_WINDOW_S, default 40)
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { INPUT_TOPIC_NAMES, recordCount, repoRoot } from '@stableyield/stream/testing';
import { System, SYSTEM_APPS, type SystemApp } from '../src/testing';

const RATES = process.argv.slice(2).map(Number).filter((n) => n > 0);
const rates = RATES.length > 0 ? RATES : [1, 2, 5, 10, 20, 40];
const WINDOW_S = Number(process.env.BENCH_WINDOW_S ?? 40);
const CLOCK_TICKS = 100; // /proc/<pid>/stat times are in USER_HZ ticks (100 on Linux)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/** CPU seconds used so far and resident memory of a process. */
function processUsage(pid: number): { cpuS: number; rssMb: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuS = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { cpuS, rssMb: rss ? Number(rss[1]) / 1024 : 0 };
  } catch {
    return null;
  }
}

/** Sum of a metric's samples matching the labels in `filter` (a substring of the label set). */
function metricSum(text: string, name: string, filter = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const rest = line.slice(name.length);
    if (!(rest.startsWith(' ') || rest.startsWith('{'))) continue;
    if (filter && !line.includes(filter)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

async function inputRecords(system: System): Promise<number> {
  let n = 0;
  for (const t of INPUT_TOPIC_NAMES) n += await recordCount(system.stack.kafka, system.prefix, t);
  return n;
}

interface Step {
  tickRate: number;
  inputEventsPerSecond: number;
  wsLatencyMs: { p50: number; p99: number; samples: number };
  processorSyiEventsPerSecond: number;
  watermarkLagMaxS: number;
  consumerLagMax: number;
  keeperTxLatencyMeanMs: number | null;
  apps: Record<string, { cpuPercent: number; rssMb: number }>;
  stable: boolean;
}

async function measure(system: System, tickRate: number, baselineP99: number | null): Promise<Step> {
  await system.tickRate(tickRate);
  await sleep(5_000);
  const pids = system.pids();
  const cpu0 = new Map([...pids].map(([app, pid]) => [app, processUsage(pid)?.cpuS ?? 0]));
  const syi0 = await system.metrics('processor-syi');
  const keeper0 = await system.metrics('keeper');
  const inputs0 = await inputRecords(system);
  const stream = system.streams[0]!;
  const from = stream.messages.length;
  const t0 = Date.now();
  let watermarkLagMax = 0;
  let consumerLagMax = 0;
  while (Date.now() - t0 < WINDOW_S * 1000) {
    await sleep(2_000);
    const text = await system.metrics('processor-syi');
    watermarkLagMax = Math.max(watermarkLagMax, metricSum(text, 'processor_watermark_lag_seconds'));
    consumerLagMax = Math.max(consumerLagMax, metricSum(text, 'kafka_consumer_lag'));
  }
  const seconds = (Date.now() - t0) / 1000;
  const inputs1 = await inputRecords(system);
  const syi1 = await system.metrics('processor-syi');
  const keeper1 = await system.metrics('keeper');
  const latencies = stream.messages.slice(from).map((m, i) => stream.arrivals[from + i]! - m.ts).sort((a, b) => a - b);
  const apps: Step['apps'] = {};
  for (const [app, pid] of pids) {
    const usage = processUsage(pid);
    if (usage) apps[app] = { cpuPercent: round(((usage.cpuS - (cpu0.get(app) ?? 0)) / seconds) * 100), rssMb: round(usage.rssMb) };
  }
  const txCount = metricSum(keeper1, 'tx_latency_seconds_count') - metricSum(keeper0, 'tx_latency_seconds_count');
  const txSum = metricSum(keeper1, 'tx_latency_seconds_sum') - metricSum(keeper0, 'tx_latency_seconds_sum');
  const p99 = percentile(latencies, 99);
  return {
    tickRate,
    inputEventsPerSecond: round((inputs1 - inputs0) / seconds),
    wsLatencyMs: { p50: round(percentile(latencies, 50)), p99: round(p99), samples: latencies.length },
    processorSyiEventsPerSecond: round((metricSum(syi1, 'processor_records_in_total') - metricSum(syi0, 'processor_records_in_total')) / seconds),
    watermarkLagMaxS: round(watermarkLagMax, 2),
    consumerLagMax,
    keeperTxLatencyMeanMs: txCount > 0 ? round((txSum / txCount) * 1000) : null,
    apps,
    // stable: (nearly) every grid point delivered, the watermark keeping up, p99 within 3× the lowest rate's
    stable: latencies.length >= seconds * 0.8 && watermarkLagMax < 5 && p99 < 3 * (baselineP99 ?? p99),
  };
}

function markdown(steps: readonly Step[]): string {
  return [
    '# System benchmark',
    '',
    '| tick rate | input events/s | WS latency p50 / p99 (ms) | processor-syi events/s | watermark lag max (s) | consumer lag max | keeper tx (ms) | stable |',
    '|---|---|---|---|---|---|---|---|',
    ...steps.map((s) => `| ${s.tickRate} | ${s.inputEventsPerSecond} | ${s.wsLatencyMs.p50} / ${s.wsLatencyMs.p99} | ${s.processorSyiEventsPerSecond} | ${s.watermarkLagMaxS} | ${s.consumerLagMax} | ${s.keeperTxLatencyMeanMs ?? '—'} | ${s.stable ? 'yes' : 'no'} |`),
    '',
    'Latency is from grid time T to the record for T arriving at a WebSocket client; it includes the processors\' allowed lateness (200 ms).',
    '',
  ].join('\n');
}

/** Latency against input rate as an SVG line chart, rendered to PNG by Debian's chromium. */
async function plot(steps: readonly Step[], file: string): Promise<void> {
  const W = 720, H = 420, L = 70, B = 50, T = 30, R = 20;
  const xs = steps.map((s) => s.inputEventsPerSecond);
  const ys = steps.flatMap((s) => [s.wsLatencyMs.p50, s.wsLatencyMs.p99]);
  const xMax = Math.max(...xs) * 1.1 || 1, yMax = Math.max(...ys) * 1.1 || 1;
  const x = (v: number) => L + (v / xMax) * (W - L - R);
  const y = (v: number) => H - B - (v / yMax) * (H - B - T);
  const line = (key: 'p50' | 'p99', color: string) =>
    `<polyline fill="none" stroke="${color}" stroke-width="2" points="${steps.map((s) => `${x(s.inputEventsPerSecond)},${y(s.wsLatencyMs[key])}`).join(' ')}"/>` +
    steps.map((s) => `<circle cx="${x(s.inputEventsPerSecond)}" cy="${y(s.wsLatencyMs[key])}" r="3" fill="${color}"/>`).join('');
  const ticks = (n: number, max: number, f: (v: number) => string) => Array.from({ length: n + 1 }, (_, i) => f((max * i) / n)).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">
    <rect width="100%" height="100%" fill="white"/>
    <text x="${W / 2}" y="18" text-anchor="middle" font-size="14">End-to-end latency (grid time → WebSocket client) against input rate</text>
    <line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>
    ${ticks(5, xMax, (v) => `<text x="${x(v)}" y="${H - B + 16}" text-anchor="middle">${Math.round(v)}</text>`)}
    ${ticks(5, yMax, (v) => `<text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${Math.round(v)}</text>`)}
    <text x="${W / 2}" y="${H - 10}" text-anchor="middle">input events/s</text>
    <text x="16" y="${H / 2}" transform="rotate(-90 16 ${H / 2})" text-anchor="middle">latency (ms)</text>
    ${line('p50', '#1f77b4')}${line('p99', '#d62728')}
    <text x="${W - R - 90}" y="${T + 10}" fill="#1f77b4">p50</text><text x="${W - R - 50}" y="${T + 10}" fill="#d62728">p99</text>
  </svg>`;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
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
  const system = new System({ wsClients: 1, latenessMs: 200 });
  const steps: Step[] = [];
  try {
    await system.start();
    system.startIngesters();
    await sleep(20_000);
    for (const rate of rates) {
      const step = await measure(system, rate, steps[0]?.wsLatencyMs.p99 ?? null);
      steps.push(step);
      process.stderr.write(`tick rate ${rate}: ${step.inputEventsPerSecond} input events/s, WS p99 ${step.wsLatencyMs.p99} ms, stable ${step.stable}\n`);
      if (!step.stable) break;
    }
  } finally {
    await system.stop();
  }
  const result = {
    benchmark: 'system',
    cpus: 2,
    windowSeconds: WINDOW_S,
    apps: [...SYSTEM_APPS] as SystemApp[],
    maxStableInputEventsPerSecond: Math.max(0, ...steps.filter((s) => s.stable).map((s) => s.inputEventsPerSecond)),
    targets: { wsLatencyP99MsAtDefaultRate: 1000, inputEventsPerSecond: 5000 },
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
