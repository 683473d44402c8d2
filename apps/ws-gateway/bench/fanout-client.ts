// Benchmark child: holds WebSocket subscribers and records when each one receives each round.
// The subscribers are plain TCP sockets that do the RFC 6455 handshake and read frames
// themselves: the bench client shares the machine's two cores with the server it measures, and
// a full WebSocket client per subscriber spent about as much CPU as the server did.
// For the same reason only every `sampleEvery`-th subscriber reads and timestamps frames while a
// step's rounds run; the others are paused, so their frames wait in the kernel's receive buffer
// (a few KiB per step, far below it). After the rounds every subscriber reads what it got and
// the frames are counted per round, so delivery to all of them is still checked.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

const port = Number(process.argv[2]);
const sampleEvery = Math.max(1, Number(process.env.BENCH_SAMPLE_EVERY ?? 1));
const sockets: Socket[] = [];
/** the subscribers that read live during the rounds */
const sampled = new Set<Socket>();
/** round → receive times of the sampled subscribers (ms, high-resolution wall clock shared across processes) */
const received = new Map<number, number[]>();
/** round → frames received by any subscriber, at any time */
const delivered = new Map<number, number>();
let failed = 0;

const wallNow = () => performance.timeOrigin + performance.now();

/** A masked client→server pong carrying the ping's payload (clients must mask, RFC 6455 §5.3). */
function pong(payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const frame = Buffer.alloc(6 + payload.length);
  frame[0] = 0x8a;
  frame[1] = 0x80 | payload.length;
  mask.copy(frame, 2);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i]! ^ mask[i % 4]!;
  return frame;
}

/** Reads server frames (unmasked) from a socket's byte stream. */
function onFrames(socket: Socket, onFrame: (opcode: number, payload: Buffer) => void): void {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    let buf = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    for (;;) {
      if (buf.length < 2) break;
      const short = buf[1]! & 0x7f;
      const header = short < 126 ? 2 : short === 126 ? 4 : 10;
      if (buf.length < header) break;
      const length = short < 126 ? short : short === 126 ? buf.readUInt16BE(2) : Number(buf.readBigUInt64BE(2));
      if (buf.length < header + length) break;
      onFrame(buf[0]! & 0x0f, buf.subarray(header, header + length));
      buf = buf.subarray(header + length);
    }
    pending = buf.length === 0 ? Buffer.alloc(0) : Buffer.from(buf);
  });
}

function open(localAddress: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    socket.setNoDelay(true);
    const fail = () => {
      failed++;
      socket.destroy();
      resolve();
    };
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.write(
        `GET /stream/syi/live HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    let head = '';
    const onHead = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onHead);
      if (!head.startsWith('HTTP/1.1 101')) return fail();
      if (sockets.length % sampleEvery === 0) sampled.add(socket);
      sockets.push(socket);
      onFrames(socket, (opcode, payload) => {
        if (opcode === 0x9) {
          socket.write(pong(payload));
          return;
        }
        if (opcode !== 0x1) return;
        const at = wallNow();
        // The round is the record's ts, right after `{"type":"syi","ts":`.
        const round = Number(/"ts":(\d+)/.exec(payload.subarray(0, 40).toString('latin1'))?.[1]);
        delivered.set(round, (delivered.get(round) ?? 0) + 1);
        if (!sampled.has(socket)) return;
        let list = received.get(round);
        if (!list) received.set(round, (list = []));
        list.push(at);
      });
      // Whatever followed the handshake in the same chunk is the start of the first frame.
      const rest = Buffer.from(head.slice(end + 4), 'latin1');
      if (rest.length > 0) socket.emit('data', rest);
      resolve();
    };
    socket.on('data', onHead);
  });
}

process.on('message', (m: { type: string; n?: number; localAddress?: string; round?: number; t0?: number }) => {
  if (m.type === 'connect') {
    void (async () => {
      for (let i = 0; i < m.n!; i += 250)
        await Promise.all(Array.from({ length: Math.min(250, m.n! - i) }, () => open(m.localAddress!)));
      process.send?.({ type: 'connected', open: sockets.length, failed });
    })();
  } else if (m.type === 'pause') {
    // the unsampled subscribers stop reading for the rounds to come
    for (const s of sockets) if (!sampled.has(s)) s.pause();
    process.send?.({ type: 'paused', sampled: sampled.size });
  } else if (m.type === 'resume') {
    for (const s of sockets) s.resume();
    process.send?.({ type: 'resumed' });
  } else if (m.type === 'delivered') {
    process.send?.({ type: 'delivered', round: m.round, count: delivered.get(m.round!) ?? 0 });
  } else if (m.type === 'count') {
    process.send?.({
      type: 'count',
      round: m.round,
      count: received.get(m.round!)?.length ?? 0,
      sampled: sampled.size,
    });
  } else if (m.type === 'latencies') {
    const list = received.get(m.round!) ?? [];
    process.send?.({ type: 'latencies', round: m.round, latencies: list.map((t) => t - m.t0!) });
    received.delete(m.round!);
  } else if (m.type === 'stop') {
    for (const s of sockets) s.destroy();
    process.exit(0);
  }
});
process.send?.({ type: 'ready' });
