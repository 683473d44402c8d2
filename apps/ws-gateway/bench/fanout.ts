// WebSocket fan-out benchmark: how many subscribers one gateway instance holds while every
// update reaches all of them with p99 delivery latency under 100 ms; memory per connection.
// Run: npx tsx apps/ws-gateway/bench/fanout.ts [maxClients]   Prints one JSON document.
// BENCH_WORKERS (default 2): gateway worker processes, as the app's WORKERS; BENCH_CLIENT_PROCESSES (default 2).
// BENCH_SAMPLE_EVERY (default 10): every n-th subscriber reads and timestamps frames live; the rest
// read after the rounds (their frames wait in the kernel), which keeps the load generator's CPU off
// the two cores the server needs. Every subscriber's frames are counted; latency is the sample's.
import { fork, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const STEPS = [1_000, 2_500, 5_000, 10_000, 15_000, 19_000].filter((n) => n <= Number(process.argv[2] ?? 19_000));
const ROUNDS = 10;
const CLIENT_PROCESSES = Number(process.env.BENCH_CLIENT_PROCESSES ?? 2);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const SAMPLE_EVERY = Number(process.env.BENCH_SAMPLE_EVERY ?? 10);
// A process here may hold at most 20 000 descriptors: the clients are spread over processes and source addresses.
const wallNow = () => performance.timeOrigin + performance.now();

type Message = { type: string; [k: string]: unknown };

function child(
  file: string,
  args: string[],
  execArgv: string[] = [],
): { proc: ChildProcess; next: (type: string) => Promise<Message> } {
  const proc = fork(join(__dirname, file), args, {
    execArgv: ['--import', 'tsx', ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, BENCH_WORKERS: String(WORKERS), BENCH_SAMPLE_EVERY: String(SAMPLE_EVERY) },
  });
  const waiting: { type: string; resolve: (m: Message) => void }[] = [];
  proc.on('message', (m: Message) => {
    const i = waiting.findIndex((w) => w.type === m.type);
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(m);
  });
  return { proc, next: (type) => new Promise((resolve) => waiting.push({ type, resolve })) };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function main(): Promise<void> {
  const server = child(
    'fanout-server.ts',
    [],
    [
      '--expose-gc',
      ...(process.env.BENCH_SERVER_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_SERVER_PROF}`] : []),
    ],
  );
  const { port } = (await server.next('ready')) as unknown as { port: number };
  const clients = Array.from({ length: CLIENT_PROCESSES }, () => child('fanout-client.ts', [String(port)]));
  await Promise.all(clients.map((c) => c.next('ready')));
  server.proc.send({ type: 'mem' });
  const base = (await server.next('mem')) as unknown as { rss: number; heapUsed: number };

  const steps: unknown[] = [];
  let total = 0;
  let round = 0;
  let maxPassing = 0;
  for (const target of STEPS) {
    const add = target - total;
    await Promise.all(
      clients.map((c, i) => {
        c.proc.send({
          type: 'connect',
          n: Math.floor(add / CLIENT_PROCESSES) + (i === 0 ? add % CLIENT_PROCESSES : 0),
          localAddress: `127.0.0.${i + 2}`,
        });
        return c.next('connected');
      }),
    );
    total = target;
    server.proc.send({ type: 'mem' });
    const mem = (await server.next('mem')) as unknown as { rss: number; heapUsed: number; clients: number };
    const latencies: number[] = [];
    const fanoutMs: number[] = [];
    const fanoutCpuMs: number[] = [];
    let messageBytes = 0;
    const sampledTotal = (
      await Promise.all(
        clients.map((c) => {
          c.proc.send({ type: 'pause' });
          return c.next('paused').then((m) => m.sampled as number);
        }),
      )
    ).reduce((a, b) => a + b, 0);
    const rounds: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const id = ++round;
      rounds.push(id);
      const t0 = wallNow();
      server.proc.send({ type: 'publish', round: id });
      const published = (await server.next('published')) as unknown as {
        fanoutMs: number;
        fanoutCpuMs: number;
        bytes: number;
      };
      fanoutMs.push(published.fanoutMs);
      fanoutCpuMs.push(published.fanoutCpuMs);
      messageBytes = published.bytes;
      const deadline = Date.now() + 5_000;
      for (;;) {
        const counts = await Promise.all(
          clients.map((c) => {
            c.proc.send({ type: 'count', round: id });
            return c.next('count').then((m) => m.count as number);
          }),
        );
        if (counts.reduce((a, b) => a + b, 0) >= sampledTotal || Date.now() > deadline) break;
        await new Promise((res) => setTimeout(res, 5));
      }
      for (const c of clients) {
        c.proc.send({ type: 'latencies', round: id, t0 });
        latencies.push(...((await c.next('latencies')).latencies as number[]));
      }
      await new Promise((res) => setTimeout(res, 200));
    }
    // Every subscriber now reads what waited in its receive buffer; each round must reach them all.
    await Promise.all(
      clients.map((c) => {
        c.proc.send({ type: 'resume' });
        return c.next('resumed');
      }),
    );
    const drainDeadline = Date.now() + 30_000;
    let delivered: number;
    for (;;) {
      delivered = 0;
      for (const id of rounds) {
        for (const c of clients) {
          c.proc.send({ type: 'delivered', round: id });
          delivered += (await c.next('delivered')).count as number;
        }
      }
      if (delivered >= mem.clients * ROUNDS || Date.now() > drainDeadline) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    latencies.sort((a, b) => a - b);
    fanoutMs.sort((a, b) => a - b);
    fanoutCpuMs.sort((a, b) => a - b);
    const p99 = percentile(latencies, 99);
    const allDelivered = delivered === mem.clients * ROUNDS;
    const step = {
      subscribers: mem.clients,
      sampledSubscribers: sampledTotal,
      rounds: ROUNDS,
      messageBytes,
      deliveredRatio: delivered / (mem.clients * ROUNDS),
      deliveryLatencyMs: {
        p50: +percentile(latencies, 50).toFixed(2),
        p99: +p99.toFixed(2),
        max: +(latencies.at(-1) ?? NaN).toFixed(2),
      },
      serverFanoutMs: { p50: +percentile(fanoutMs, 50).toFixed(2), p99: +percentile(fanoutMs, 99).toFixed(2) },
      // CPU time of one fan-out: what the wall time would be on an idle core.
      serverFanoutCpuMs: { p50: +percentile(fanoutCpuMs, 50).toFixed(2), p99: +percentile(fanoutCpuMs, 99).toFixed(2) },
      memoryPerConnectionBytes: {
        rss: Math.round((mem.rss - base.rss) / mem.clients),
        heapUsed: Math.round((mem.heapUsed - base.heapUsed) / mem.clients),
      },
      pass: allDelivered && p99 < 100,
    };
    steps.push(step);
    if (step.pass) maxPassing = mem.clients;
    if (mem.clients < target) break;
  }
  for (const c of clients) c.proc.send({ type: 'stop' });
  server.proc.send({ type: 'stop' });
  console.log(
    JSON.stringify(
      {
        benchmark: 'ws-fanout',
        cpus: 2,
        loadAverage1m: +loadavg()[0]!.toFixed(2),
        clientProcesses: CLIENT_PROCESSES,
        serverWorkers: WORKERS,
        sampleEvery: SAMPLE_EVERY,
        maxSubscribersWithP99Under100ms: maxPassing,
        target: 10_000,
        steps,
      },
      null,
      2,
    ),
  );
}

void main();
