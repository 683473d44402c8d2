import pino from 'pino';
import { Registry } from 'prom-client';
import WebSocket from 'ws';
import { waitFor } from '@stableyield/kafka/testing';
import { CLOSE, FanoutHub } from './hub';
import { LatestSyi } from './latest';
import { StreamMetrics } from './metrics';
import type { SocketClient } from './socket-client';
import { startStreamServer, type StreamServer, type StreamServerOptions } from './stream-server';
import { constituent, syiRecord } from './testing';
import { wsPreparedFrames } from './ws-frames';

interface Client {
  ws: WebSocket;
  messages: { type: string; ts: number }[];
  closed: Promise<{ code: number; reason: string }>;
}

async function connect(port: number, path = '/stream/syi/live', headers: Record<string, string> = {}): Promise<Client> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
  const messages: Client['messages'] = [];
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    // Text frames: a browser's WebSocket hands them over as strings.
    if (isBinary) throw new Error('binary frame received');
    messages.push(JSON.parse(data.toString()) as { type: string; ts: number });
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, messages, closed };
}

/** A record of roughly `kb` kilobytes (many constituents), to fill socket buffers quickly. */
const bigRecord = (ts: number, kb: number) =>
  syiRecord({ ts, constituents: Array.from({ length: kb * 3 }, (_, i) => constituent(`S${i}`)) });

describe('stream server', () => {
  const registry = new Registry();
  const metrics = new StreamMetrics(registry);
  let latest: LatestSyi;
  let hub: FanoutHub<SocketClient>;
  let server: StreamServer;
  const clients: Client[] = [];

  type StartOptions = { maxConnections?: number; maxBufferedBytes?: number; heartbeatMs?: number } & Partial<
    Pick<StreamServerOptions, 'authorize' | 'clientIp' | 'maxConnectionsPerIp' | 'allowedOrigins'>
  >;
  async function start(options: StartOptions = {}) {
    const { maxConnections, maxBufferedBytes, heartbeatMs, ...serverOptions } = options;
    latest = new LatestSyi();
    hub = new FanoutHub({
      maxConnections: maxConnections ?? 100,
      maxBufferedBytes: maxBufferedBytes ?? 256 * 1024,
      metrics,
      closeGraceMs: 500,
      prepared: wsPreparedFrames,
    });
    server = await startStreamServer({
      host: '127.0.0.1',
      port: 0,
      latest,
      hub,
      metrics,
      logger: pino({ level: 'silent' }),
      heartbeatMs: heartbeatMs ?? 60_000,
      ...serverOptions,
    });
  }

  afterEach(async () => {
    for (const c of clients.splice(0)) c.ws.terminate();
    await server.close(1_000);
  });

  it('sends the latest record on connect, then every new one, per channel', async () => {
    await start();
    latest.offer(syiRecord({ ts: 1000 }));
    const live = await connect(server.port);
    const detail = await connect(server.port, '/stream/syi/constituents');
    clients.push(live, detail);
    await waitFor('snapshots', () => live.messages.length === 1 && detail.messages.length === 1, 5_000, 5);
    latest.offer(syiRecord({ ts: 2000 }));
    await waitFor('updates', () => live.messages.length === 2 && detail.messages.length === 2, 5_000, 5);
    expect(live.messages.map((m) => [m.type, m.ts])).toEqual([
      ['syi', 1000],
      ['syi', 2000],
    ]);
    expect(detail.messages.map((m) => [m.type, m.ts])).toEqual([
      ['constituents', 1000],
      ['constituents', 2000],
    ]);
  });

  it('drops a client that stops reading while a normal one keeps receiving', async () => {
    await start({ maxBufferedBytes: 256 * 1024 });
    const slow = await connect(server.port);
    const normal = await connect(server.port);
    clients.push(slow, normal);
    // The slow client stops reading: the kernel buffers fill, then the server-side queue grows.
    slow.ws.pause();
    let ts = 0;
    for (let round = 0; round < 400 && hub.size === 2; round++) {
      latest.offer(bigRecord(++ts, 64));
      // Let the event loop write to the sockets between records, as the live feed does.
      await new Promise((r) => setImmediate(r));
    }
    expect(hub.size).toBe(1);
    const dropped = (await registry.getSingleMetric('websocket_clients_dropped_total')!.get()).values.find(
      (v) => v.labels.reason === 'slow_consumer',
    );
    expect(dropped?.value).toBe(1);
    // The normal client got everything so far and still gets new records.
    await waitFor('the normal client to catch up', () => normal.messages.at(-1)?.ts === ts, 10_000, 5);
    latest.offer(syiRecord({ ts: ++ts }));
    await waitFor('a record after the drop', () => normal.messages.at(-1)?.ts === ts, 5_000, 5);
    expect(normal.messages).toHaveLength(ts);
    slow.ws.resume();
    expect(await slow.closed).toEqual({ code: CLOSE.slowConsumer.code, reason: CLOSE.slowConsumer.reason });
  });

  it('refuses connections beyond the maximum, unknown paths and unauthorized clients', async () => {
    await start({ maxConnections: 1, authorize: () => true });
    clients.push(await connect(server.port));
    await expect(connect(server.port)).rejects.toThrow('503');
    await expect(connect(server.port, '/stream/other')).rejects.toThrow('404');
    await server.close(1_000);
    await start({ authorize: () => ({ status: 401 }) });
    await expect(connect(server.port)).rejects.toThrow('401');
  });

  it('caps connections per client address, counting upgrades still being authorized', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // The address comes from a header here so one test process can be two clients.
    await start({
      maxConnectionsPerIp: 2,
      clientIp: (req) => String(req.headers['x-test-ip']),
      authorize: async () => (await gate, true as const),
    });
    const a = [
      connect(server.port, '/stream/syi/live', { 'x-test-ip': 'a' }),
      connect(server.port, '/stream/syi/live', { 'x-test-ip': 'a' }),
    ];
    await new Promise((r) => setTimeout(r, 100));
    // Both of a's places are held by pending upgrades: a third is refused, b is not affected.
    await expect(connect(server.port, '/stream/syi/live', { 'x-test-ip': 'a' })).rejects.toThrow('429');
    const b = connect(server.port, '/stream/syi/live', { 'x-test-ip': 'b' });
    release();
    clients.push(...(await Promise.all([...a, b])));
    expect(hub.size).toBe(3);
    // A closed connection gives its place back.
    clients[0]!.ws.close();
    await waitFor('the place to be free', () => hub.size === 2, 5_000, 10);
    await new Promise((r) => setTimeout(r, 50));
    clients.push(await connect(server.port, '/stream/syi/live', { 'x-test-ip': 'a' }));
  });

  it('counts upgrades being authorized against the instance maximum', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await start({ maxConnections: 2, authorize: async () => (await gate, true as const) });
    const pending = [connect(server.port), connect(server.port)];
    await new Promise((r) => setTimeout(r, 100));
    await expect(connect(server.port)).rejects.toThrow('503');
    release();
    clients.push(...(await Promise.all(pending)));
    expect(hub.size).toBe(2);
  });

  it('refuses browsers from origins outside the allow-list, and lets clients without Origin in', async () => {
    await start({ allowedOrigins: ['https://syi.example.org'] });
    await expect(connect(server.port, '/stream/syi/live', { origin: 'https://evil.example' })).rejects.toThrow('403');
    clients.push(await connect(server.port, '/stream/syi/live', { origin: 'https://syi.example.org' }));
    clients.push(await connect(server.port));
    expect(hub.size).toBe(2);
  });

  it('cuts clients that stop answering pings', async () => {
    await start({ heartbeatMs: 100 });
    const silent = await connect(server.port);
    const healthy = await connect(server.port);
    clients.push(silent, healthy);
    // A client whose socket stops reading never sees the ping, so never answers it.
    silent.ws.pause();
    await waitFor('the silent client to be cut', () => hub.size === 1, 5_000, 20);
    await new Promise((r) => setTimeout(r, 300));
    expect(hub.size).toBe(1);
    expect(healthy.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('closes every client with 1001 on shutdown', async () => {
    await start();
    const a = await connect(server.port);
    const b = await connect(server.port, '/stream/syi/constituents');
    await server.close(2_000);
    expect(await a.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    expect((await b.closed).code).toBe(1001);
    await start(); // afterEach closes a server
  });
});
