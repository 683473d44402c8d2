import pino from 'pino';
import { HermesClient, redactUrl, type HermesClientOptions, type StreamHandlers } from './hermes-client';

interface FakeConnection {
  handlers: StreamHandlers;
  closed: boolean;
  headers: Readonly<Record<string, string>>;
}

function setup(overrides: Partial<HermesClientOptions> = {}) {
  const connections: FakeConnection[] = [];
  const events: { data: string; via: string }[] = [];
  const fatal: unknown[] = [];
  const failover: boolean[] = [];
  const polls: string[] = [];
  let pollAnswer: () => Response = () => new Response('{"poll":true}', { status: 200 });
  const client = new HermesClient({
    streamUrl: 'http://hermes/stream',
    latestUrl: 'http://hermes/latest',
    headers: { authorization: 'Bearer k' },
    watchdogMs: 1000,
    backoff: { initialMs: 100, maxMs: 1000, jitter: 0 },
    failoverAfterFailures: 3,
    pollIntervalMs: 200,
    pollTimeoutMs: 500,
    connect: (_url, headers, handlers) => {
      const connection: FakeConnection = { handlers, closed: false, headers };
      connections.push(connection);
      return { close: () => (connection.closed = true) };
    },
    fetch: (input) => {
      polls.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      return Promise.resolve(pollAnswer());
    },
    logger: pino({ level: 'silent' }),
    listener: {
      event: (data, via) => events.push({ data, via }),
      fatal: (e) => fatal.push(e),
      failover: (active) => failover.push(active),
    },
    ...overrides,
  });
  return {
    client,
    connections,
    events,
    fatal,
    failover,
    polls,
    setPollAnswer: (f: () => Response) => (pollAnswer = f),
    last: () => connections[connections.length - 1]!,
  };
}

/** The client of `setup()`, started. */
function started() {
  const t = setup();
  t.client.start();
  return t;
}

/** `count()` stays as it is until `ms` have passed, then has grown by one. */
async function expectOneMoreAfter(ms: number, count: () => number): Promise<void> {
  const before = count();
  await jest.advanceTimersByTimeAsync(ms - 1);
  expect(count()).toBe(before);
  await jest.advanceTimersByTimeAsync(1);
  expect(count()).toBe(before + 1);
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('HermesClient', () => {
  it('streams events with the API key header and reconnects with exponential back-off after failures', async () => {
    const t = started();
    expect(t.last().headers).toEqual({ authorization: 'Bearer k' });
    t.last().handlers.open();
    t.last().handlers.message('e1');
    expect(t.events).toEqual([{ data: 'e1', via: 'stream' }]);
    expect(t.client.getState()).toBe('streaming');
    expect(t.client.isDelivering()).toBe(true);

    t.last().handlers.failure({ message: 'stream ended' });
    expect(t.connections[0]!.closed).toBe(true);
    expect(t.client.getState()).toBe('waiting');
    await expectOneMoreAfter(100, () => t.connections.length);
    // A connection that fails without an event doubles the wait: 200 ms.
    t.last().handlers.failure({ message: 'refused', status: 503 });
    await expectOneMoreAfter(200, () => t.connections.length);
    await t.client.stop();
  });

  it(
    'treats a server error frame as the end of the stream ' + 'and ignores late callbacks of the old connection',
    async () => {
      const t = started();
      const first = t.last();
      first.handlers.message('e1');
      first.handlers.serverError('Connection timeout reached (24h)');
      first.handlers.message('late');
      first.handlers.failure({ message: 'stream ended' });
      expect(t.events.map((e) => e.data)).toEqual(['e1']);
      await jest.advanceTimersByTimeAsync(100);
      expect(t.connections).toHaveLength(2);
      await t.client.stop();
    },
  );

  it('waits at least Retry-After after a 429', async () => {
    const t = started();
    t.last().handlers.failure({ message: 'HTTP 429', status: 429, retryAfterMs: 5000 });
    await expectOneMoreAfter(5000, () => t.connections.length);
    await t.client.stop();
  });

  it('reconnects a silent stream after the watchdog period', async () => {
    const t = started();
    t.last().handlers.open();
    t.last().handlers.message('e1');
    await jest.advanceTimersByTimeAsync(900);
    t.last().handlers.message('e2');
    await jest.advanceTimersByTimeAsync(900);
    expect(t.connections).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(400);
    expect(t.connections[0]!.closed).toBe(true);
    await jest.advanceTimersByTimeAsync(100);
    expect(t.connections).toHaveLength(2);
    await t.client.stop();
  });

  it('fails over to polling after repeated failures and returns to the stream when it delivers', async () => {
    const t = started();
    for (let i = 0; i < 3; i++) {
      t.last().handlers.failure({ message: 'ended' });
      await jest.advanceTimersByTimeAsync(i < 2 ? 100 * 2 ** i : 0);
    }
    expect(t.client.isFailedOver()).toBe(true);
    expect(t.failover).toEqual([true]);
    await jest.advanceTimersByTimeAsync(0);
    expect(t.polls).toEqual(['http://hermes/latest']);
    await jest.advanceTimersByTimeAsync(200);
    expect(t.polls).toHaveLength(2);
    expect(t.events.map((e) => e.via)).toEqual(['poll', 'poll']);
    expect(t.client.isDelivering()).toBe(true);
    // The stream keeps being retried (400 ms after the third failure) and comes back.
    await jest.advanceTimersByTimeAsync(200);
    t.last().handlers.open();
    t.last().handlers.message('back');
    expect(t.client.isFailedOver()).toBe(false);
    expect(t.failover).toEqual([true, false]);
    const polls = t.polls.length;
    await jest.advanceTimersByTimeAsync(1000);
    expect(t.polls).toHaveLength(polls);
    await t.client.stop();
  });

  it('stops for good on unknown feed ids (404 Price ids not found)', async () => {
    const t = started();
    t.last().handlers.failure({ message: 'HTTP 404', status: 404, body: `Price ids not found: ${'ab'.repeat(32)}` });
    expect(t.client.getState()).toBe('failed');
    expect(t.fatal).toEqual([expect.objectContaining({ kind: 'price-ids-not-found', ids: ['ab'.repeat(32)] })]);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(t.connections).toHaveLength(1);
    expect(t.client.isDelivering()).toBe(false);
    await t.client.stop();
  });

  it('honours Retry-After on a polled 429', async () => {
    const t = setup({ failoverAfterFailures: 1, backoff: { initialMs: 60_000, maxMs: 60_000, jitter: 0 } });
    t.setPollAnswer(() => new Response('slow down', { status: 429, headers: { 'retry-after': '3' } }));
    t.client.start();
    t.last().handlers.failure({ message: 'ended' });
    await jest.advanceTimersByTimeAsync(0);
    expect(t.polls).toHaveLength(1);
    await expectOneMoreAfter(3000, () => t.polls.length);
    await t.client.stop();
  });
});

describe('redactUrl', () => {
  it('masks key-like query parameters and passwords', () => {
    expect(redactUrl('http://u:pw@x/f?series_id=A&api_key=secret&access_token=t')).toBe(
      'http://u:REDACTED@x/f?series_id=A&api_key=REDACTED&access_token=REDACTED',
    );
  });
});
