// Benchmark child: one gateway instance (stream server + hub), fed records by the parent over IPC.
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { WebSocket } from 'ws';
import { FanoutHub, LatestSyi, startStreamServer, StreamMetrics, wsPreparedFrames } from '@stableyield/live-feed';
import { constituent, syiRecord } from '@stableyield/live-feed/testing';

const SYMBOLS = ['DAI', 'FDUSD', 'PYUSD', 'USDC', 'USDT', 'USDe'];

async function main(): Promise<void> {
  const latest = new LatestSyi();
  const metrics = new StreamMetrics(new Registry());
  const hub = new FanoutHub<WebSocket>({ maxConnections: 1_000_000, maxBufferedBytes: 1_048_576, metrics, prepared: wsPreparedFrames });
  const server = await startStreamServer({ host: '127.0.0.1', port: 0, latest, hub, metrics, logger: pino({ level: 'warn' }), heartbeatMs: 30_000 });
  const send = (m: unknown) => process.send?.(m);
  process.on('message', (m: { type: string; round?: number }) => {
    if (m.type === 'publish') {
      // A full six-constituent record, as processor-syi publishes; ts carries the round number.
      const record = syiRecord({ ts: m.round!, constituents: SYMBOLS.map((s) => constituent(s, { weight: 1 / 6 })), eligible: 6 });
      const start = performance.now();
      const cpu = process.cpuUsage();
      latest.offer(record); // fans out synchronously to every client
      const used = process.cpuUsage(cpu);
      send({ type: 'published', round: m.round, fanoutMs: performance.now() - start, fanoutCpuMs: (used.user + used.system) / 1000, clients: hub.size, bytes: latest.get()!.liveMessage.length });
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

void main();
