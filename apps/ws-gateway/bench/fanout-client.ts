// Benchmark child: holds WebSocket subscribers and records when each one receives each round.
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

const port = Number(process.argv[2]);
const sockets: WebSocket[] = [];
/** round → receive times (ms, high-resolution wall clock shared across processes) */
const received = new Map<number, number[]>();
let failed = 0;

const wallNow = () => performance.timeOrigin + performance.now();

function open(localAddress: string): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/stream/syi/live`, { localAddress, perMessageDeflate: false });
    ws.on('message', (data: Buffer) => {
      const at = wallNow();
      // The round is the record's ts, right after `{"type":"syi","ts":`.
      const round = Number(/"ts":(\d+)/.exec(data.subarray(0, 40).toString())?.[1]);
      let list = received.get(round);
      if (!list) received.set(round, (list = []));
      list.push(at);
    });
    ws.once('open', () => {
      sockets.push(ws);
      resolve();
    });
    ws.once('error', () => {
      failed++;
      resolve();
    });
  });
}

process.on('message', (m: { type: string; n?: number; localAddress?: string; round?: number; t0?: number }) => {
  if (m.type === 'connect') {
    void (async () => {
      for (let i = 0; i < m.n!; i += 250) await Promise.all(Array.from({ length: Math.min(250, m.n! - i) }, () => open(m.localAddress!)));
      process.send?.({ type: 'connected', open: sockets.length, failed });
    })();
  } else if (m.type === 'count') {
    process.send?.({ type: 'count', round: m.round, count: received.get(m.round!)?.length ?? 0 });
  } else if (m.type === 'latencies') {
    const list = received.get(m.round!) ?? [];
    process.send?.({ type: 'latencies', round: m.round, latencies: list.map((t) => t - m.t0!) });
    received.delete(m.round!);
  } else if (m.type === 'stop') {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }
});
process.send?.({ type: 'ready' });
