import { Registry } from 'prom-client';
import { CLOSE, FanoutHub, type HubClient } from './hub';
import { StreamMetrics } from './metrics';

class FakeClient implements HubClient {
  bufferedAmount = 0;
  received: string[] = [];
  pings = 0;
  closed: { code: number; reason: string } | undefined;
  terminated = false;
  binary: boolean[] = [];
  send(data: Buffer, options: { binary: boolean }): void {
    this.received.push(data.toString());
    this.binary.push(options.binary);
  }
  ping(): void {
    this.pings++;
  }
  close(code: number, reason: string): void {
    this.closed = { code, reason };
  }
  terminate(): void {
    this.terminated = true;
  }
}

const message = (s: string) => Buffer.from(s);

function setup(options: { maxConnections?: number; maxBufferedBytes?: number; maxTotalBufferedBytes?: number } = {}) {
  const registry = new Registry();
  const metrics = new StreamMetrics(registry);
  const hub = new FanoutHub<FakeClient>({
    maxConnections: options.maxConnections ?? 10,
    maxBufferedBytes: options.maxBufferedBytes ?? 100,
    closeGraceMs: 5,
    metrics,
    ...(options.maxTotalBufferedBytes !== undefined ? { maxTotalBufferedBytes: options.maxTotalBufferedBytes } : {}),
  });
  const value = async (name: string, labels: Record<string, string> = {}) => {
    const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
    const values =
      (metric as { values: { labels: Record<string, string>; value: number }[] } | undefined)?.values ?? [];
    return values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value;
  };
  return { hub, value };
}

describe('FanoutHub', () => {
  it('sends a broadcast to every client of the channel and no other', async () => {
    const { hub, value } = setup();
    const [a, b, c] = [new FakeClient(), new FakeClient(), new FakeClient()];
    hub.add('live', a);
    hub.add('live', b);
    hub.add('constituents', c);
    expect(hub.broadcast('live', message('x'))).toBe(2);
    expect(a.received).toEqual(['x']);
    expect(b.received).toEqual(['x']);
    expect(c.received).toEqual([]);
    expect(a.binary).toEqual([false]);
    expect(await value('websocket_messages_sent_total')).toBe(2);
    expect(await value('websocket_active_connections')).toBe(3);
  });

  it('counts the subscribers of each channel in websocket_subscribers as clients come and go', async () => {
    const { hub, value } = setup();
    expect(await value('websocket_subscribers', { channel: 'live' })).toBe(0);
    const [a, b, c] = [new FakeClient(), new FakeClient(), new FakeClient()];
    hub.add('live', a);
    hub.add('live', b);
    hub.add('constituents', c);
    expect(await value('websocket_subscribers', { channel: 'live' })).toBe(2);
    expect(await value('websocket_subscribers', { channel: 'constituents' })).toBe(1);
    hub.remove(a);
    hub.remove(c);
    hub.remove(c); // a second remove changes nothing
    expect(await value('websocket_subscribers', { channel: 'live' })).toBe(1);
    expect(await value('websocket_subscribers', { channel: 'constituents' })).toBe(0);
  });

  it('drops a client whose buffer would pass the limit and keeps sending to the others', async () => {
    const { hub, value } = setup({ maxBufferedBytes: 10 });
    const slow = new FakeClient();
    const fast = new FakeClient();
    hub.add('live', slow);
    hub.add('live', fast);
    slow.bufferedAmount = 8;
    expect(hub.broadcast('live', message('12345'))).toBe(1);
    expect(slow.closed).toEqual(CLOSE.slowConsumer);
    expect(slow.received).toEqual([]);
    expect(hub.broadcast('live', message('again'))).toBe(1);
    expect(fast.received).toEqual(['12345', 'again']);
    expect(hub.size).toBe(1);
    expect(await value('websocket_clients_dropped_total', { reason: 'slow_consumer' })).toBe(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(slow.terminated).toBe(true);
  });

  it('keeps the bytes queued over all clients within the total budget: each gets an equal share', () => {
    // 1 000 clients, 1 MiB each allowed alone, 64 KiB in total: a share is 65 bytes.
    const { hub } = setup({ maxConnections: 1_000, maxBufferedBytes: 1_048_576, maxTotalBufferedBytes: 65_536 });
    const clients = Array.from({ length: 1_000 }, () => new FakeClient());
    for (const c of clients) hub.add('live', c);
    expect(hub.bufferLimitPerClient).toBe(65);
    // None reads: each send queues its bytes.
    const frame = message('x'.repeat(40));
    for (let round = 0; round < 5; round++) {
      hub.broadcast('live', frame);
      for (const c of clients) if (c.closed === undefined) c.bufferedAmount += frame.length;
    }
    const queued = clients.filter((c) => c.closed === undefined).reduce((sum, c) => sum + c.bufferedAmount, 0);
    expect(queued).toBeLessThanOrEqual(65_536);
    expect(clients.every((c) => c.closed?.code === CLOSE.slowConsumer.code)).toBe(true);
  });

  it('lets a client with nothing queued take a message larger than its share', () => {
    const { hub } = setup({ maxBufferedBytes: 10 });
    const reader = new FakeClient();
    hub.add('live', reader);
    expect(hub.broadcast('live', message('x'.repeat(50)))).toBe(1);
  });

  it('counts reserved places (upgrades in progress) against the maximum', () => {
    const { hub } = setup({ maxConnections: 2 });
    expect(hub.reserve()).toBe(true);
    expect(hub.reserve()).toBe(true);
    expect(hub.reserve()).toBe(false);
    expect(hub.add('live', new FakeClient())).toBe(false); // both places are held
    expect(hub.add('live', new FakeClient(), true)).toBe(true); // takes its own place
    hub.release();
    expect(hub.isFull).toBe(false);
    expect(hub.add('live', new FakeClient())).toBe(true);
    expect(hub.isFull).toBe(true);
  });

  it('refuses clients beyond the maximum of connections', () => {
    const { hub } = setup({ maxConnections: 2 });
    expect(hub.add('live', new FakeClient())).toBe(true);
    const second = new FakeClient();
    expect(hub.add('live', second)).toBe(true);
    expect(hub.add('live', new FakeClient())).toBe(false);
    hub.remove(second);
    expect(hub.add('live', new FakeClient())).toBe(true);
  });

  it('terminates clients that missed a heartbeat and pings the others', async () => {
    const { hub, value } = setup();
    const dead = new FakeClient();
    const alive = new FakeClient();
    hub.add('live', dead);
    hub.add('live', alive);
    expect(hub.heartbeat()).toBe(0);
    expect([dead.pings, alive.pings]).toEqual([1, 1]);
    hub.markAlive(alive);
    expect(hub.heartbeat()).toBe(1);
    expect(dead.terminated).toBe(true);
    expect(alive.terminated).toBe(false);
    expect(hub.size).toBe(1);
    expect(await value('websocket_clients_dropped_total', { reason: 'heartbeat_timeout' })).toBe(1);
  });

  it('closes every client with "going away" on shutdown', async () => {
    const { hub, value } = setup();
    const clients = [new FakeClient(), new FakeClient()];
    for (const c of clients) hub.add('live', c);
    hub.closeAll();
    expect(clients.map((c) => c.closed?.code)).toEqual([1001, 1001]);
    expect(hub.size).toBe(0);
    expect(await value('websocket_clients_dropped_total', { reason: 'shutdown' })).toBe(2);
  });

  it('drops a client whose send throws', () => {
    const { hub } = setup();
    const broken = new FakeClient();
    broken.send = () => {
      throw new Error('socket gone');
    };
    hub.add('live', broken);
    expect(hub.send(broken, message('x'))).toBe(false);
    expect(broken.closed?.code).toBe(1011);
    expect(hub.size).toBe(0);
  });
});
