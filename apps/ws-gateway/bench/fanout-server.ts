// Benchmark child: one gateway instance (stream server + hub), fed records by the parent over IPC.
// BENCH_WORKERS > 1 runs it as the gateway does with WORKERS: a node:cluster primary (this
// process, relaying the parent's messages) and workers sharing one port, each with its own hub.
import cluster from 'node:cluster';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { Registry } from 'prom-client';
import {
  FanoutHub,
  LatestSyi,
  startStreamServer,
  StreamMetrics,
  wsPreparedFrames,
  type SocketClient,
} from '@stableyield/live-feed';
import { constituent, syiRecord } from '@stableyield/live-feed/testing';
import { ClusterPrimary } from '@stableyield/observability';

const SYMBOLS = ['DAI', 'FDUSD', 'PYUSD', 'USDC', 'USDT', 'USDe'];
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);

type Message = { type: string; [k: string]: unknown };
const send = (m: Message) => process.send?.(m);

/** One gateway process: serves `port` and fans out what it is told to publish. */
async function serve(port: number): Promise<void> {
  const latest = new LatestSyi();
  const metrics = new StreamMetrics(new Registry());
  const hub = new FanoutHub<SocketClient>({
    maxConnections: 1_000_000,
    maxBufferedBytes: 1_048_576,
    metrics,
    prepared: wsPreparedFrames,
  });
  const server = await startStreamServer({
    host: '127.0.0.1',
    port,
    latest,
    hub,
    metrics,
    logger: pino({ level: 'warn' }),
    heartbeatMs: 30_000,
  });
  process.on('message', (m: { type: string; round?: number }) => {
    if (m.type === 'publish') {
      // A full six-constituent record, as processor-syi publishes; ts carries the round number.
      const record = syiRecord({
        ts: m.round!,
        constituents: SYMBOLS.map((s) => constituent(s, { weight: 1 / 6 })),
        eligible: 6,
      });
      const start = performance.now();
      const cpu = process.cpuUsage();
      latest.offer(record); // fans out synchronously to every client
      const used = process.cpuUsage(cpu);
      send({
        type: 'published',
        round: m.round,
        fanoutMs: performance.now() - start,
        fanoutCpuMs: (used.user + used.system) / 1000,
        clients: hub.size,
        bytes: latest.get()!.liveMessage.length,
      });
    } else if (m.type === 'mem') {
      (globalThis as { gc?: () => void }).gc?.();
      const u = process.memoryUsage();
      send({ type: 'mem', rss: u.rss, heapUsed: u.heapUsed, external: u.external, clients: hub.size });
    } else if (m.type === 'stop') {
      void server.close(2_000).then(() => process.exit(0));
    }
  });
  send({ type: 'ready', port: server.port });
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** The cluster primary: relays the parent's messages to every worker and sums their answers. */
async function relay(): Promise<void> {
  const port = await freePort();
  const answers = new Map<string, Message[]>();
  const primary = await ClusterPrimary.start({
    workers: WORKERS,
    logger: pino({ level: 'warn' }),
    healthHost: '127.0.0.1',
    healthPort: 0,
    shutdownTimeoutMs: 5_000,
    execArgv: process.execArgv,
    env: { BENCH_PORT: String(port) },
    onMessage: (_worker, message) => {
      const m = message as Message;
      const list = answers.get(m.type) ?? [];
      answers.set(m.type, list);
      list.push(m);
      if (list.length < WORKERS) return;
      answers.delete(m.type);
      const sum = (k: string) => list.reduce((a, x) => a + Number(x[k] ?? 0), 0);
      const max = (k: string) => Math.max(...list.map((x) => Number(x[k] ?? 0)));
      if (m.type === 'ready') send({ type: 'ready', port });
      else if (m.type === 'mem')
        send({
          type: 'mem',
          rss: sum('rss'),
          heapUsed: sum('heapUsed'),
          external: sum('external'),
          clients: sum('clients'),
        });
      // workers fan out in parallel: the round took the slowest one's time, and all their CPU
      else if (m.type === 'published')
        send({
          type: 'published',
          round: m.round,
          fanoutMs: max('fanoutMs'),
          fanoutCpuMs: sum('fanoutCpuMs'),
          clients: sum('clients'),
          bytes: m.bytes,
        });
    },
  });
  process.on('message', (m: Message) => {
    if (m.type === 'stop') void primary.stop().then(() => process.exit(0));
    else primary.broadcast(m);
  });
}

if (WORKERS > 1 && cluster.isPrimary) void relay();
else void serve(Number(process.env.BENCH_PORT ?? 0));
