// The Hermes SSE stream, consumed with the `eventsource` package (the one @pythnetwork/hermes-client uses),
// including the scenario modes an ingester must survive: error frames, 404, 429, silence, close.
import { ASSETS } from '@stableyield/market-model';
import { parseHermesErrorBody, parseHermesSseFrame } from '@stableyield/upstream';
import { EventSource, type ErrorEvent } from 'eventsource';
import { postScenario, startTestSim, waitFor } from '../test/sim';

let sim: Awaited<ReturnType<typeof startTestSim>>;
const open: EventSource[] = [];

beforeAll(async () => {
  sim = await startTestSim({ tickRate: 20 });
});
afterEach(async () => {
  for (const es of open.splice(0)) es.close();
  await fetch(`${sim.url}/_control/scenario`, { method: 'DELETE' });
});
afterAll(async () => {
  await sim?.close();
});

const feedSymbols = Object.fromEntries(ASSETS.map((a) => [a.pythId, a.symbol]));
const USDC = ASSETS.find((a) => a.symbol === 'USDC')!.pythId;
const USDT = ASSETS.find((a) => a.symbol === 'USDT')!.pythId;

interface Received {
  at: number;
  data: string;
}

function connect(query: string): {
  es: EventSource;
  messages: Received[];
  serverErrors: string[];
  transportErrors: ErrorEvent[];
} {
  const es = new EventSource(`${sim.url}/hermes/v2/updates/price/stream?${query}`);
  open.push(es);
  const messages: Received[] = [];
  const serverErrors: string[] = [];
  const transportErrors: ErrorEvent[] = [];
  es.onmessage = (e) => messages.push({ at: Date.now(), data: e.data });
  // Named `error` frames arrive as MessageEvents on 'error' listeners; transport errors as ErrorEvents.
  es.addEventListener('error', (e: Event) => {
    if ('data' in e && typeof (e as MessageEvent).data === 'string')
      serverErrors.push((e as MessageEvent).data as string);
    else transportErrors.push(e);
  });
  return { es, messages, serverErrors, transportErrors };
}

describe('Hermes SSE stream', () => {
  it('streams one event per slot with the requested feeds, parsable by libs/upstream', async () => {
    const { messages } = connect(`ids[]=${USDC}&ids[]=0x${USDT}`);
    await waitFor(() => (messages.length >= 10 ? true : undefined), 10_000, '10 events');
    const records = messages.map((m) => {
      const r = parseHermesSseFrame({ event: 'message', data: m.data }, { feedSymbols, receivedAt: m.at });
      if (!r.ok) throw new Error(r.reason);
      return r.records;
    });
    expect(records.every((r) => r.prices.map((p) => p.symbol).join() === 'USDC,USDT')).toBe(true);
    expect(records.every((r) => r.update.data.length === 2)).toBe(true);
    const slots = records.map((r) => r.update.feeds[0]!.slot!);
    // Consecutive slots, strictly increasing.
    slots.slice(1).forEach((s, i) => expect(s).toBe(slots[i]! + 1));
    const spanMs = messages[messages.length - 1]!.at - messages[0]!.at;
    // 20 slots/s: 10 events take about 450 ms; allow generous scheduling slack.
    expect(spanMs).toBeGreaterThan(200);
    expect(spanMs).toBeLessThan(3000);
  });

  it('honours parsed=false and encoding=base64', async () => {
    const { messages } = connect(`ids[]=${USDC}&parsed=false&encoding=base64`);
    await waitFor(() => messages[0], 5000, 'an event');
    const body = JSON.parse(messages[0]!.data) as { binary: { encoding: string; data: string[] }; parsed?: unknown };
    expect(body.parsed).toBeUndefined();
    expect(body.binary.encoding).toBe('base64');
    expect(Buffer.from(body.binary.data[0]!, 'base64').toString('hex').startsWith(USDC)).toBe(true);
  });

  it('a 404 for an unknown id fails the EventSource for good', async () => {
    const { es, transportErrors } = connect('ids[]=ef0d8b6fda2ceba41da39a73436148de22aeb0b51deb47e5f6bdc5caf5bcb3d4');
    const error = await waitFor(() => transportErrors[0], 5000, 'an error event');
    expect(error.code).toBe(404);
    expect(es.readyState).toBe(EventSource.CLOSED);
  });

  it('scenario "404" and "429": new requests are refused (429 with Retry-After)', async () => {
    expect(
      (await postScenario(sim.url, { events: [{ type: 'hermes', mode: '429', retryAfterSeconds: 7, duration: '1m' }] }))
        .status,
    ).toBe(200);
    const limited = await fetch(`${sim.url}/hermes/v2/updates/price/stream?ids[]=${USDC}`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    const { transportErrors } = connect(`ids[]=${USDC}`);
    expect((await waitFor(() => transportErrors[0], 5000, 'a 429 error')).code).toBe(429);

    await postScenario(sim.url, { events: [{ type: 'hermes', mode: '404', duration: '1m' }] });
    const missing = await fetch(`${sim.url}/hermes/v2/updates/price/latest?ids[]=${USDC}`);
    expect(missing.status).toBe(404);
    expect(parseHermesErrorBody(await missing.text())).toMatchObject({ kind: 'price-ids-not-found', ids: [USDC] });
  });

  it('scenario "silent": a stream stays open but sends nothing, then resumes', async () => {
    const { messages } = connect(`ids[]=${USDC}`);
    await waitFor(() => messages[0], 5000, 'a first event');
    const loadedAt = Date.now();
    await postScenario(sim.url, { events: [{ type: 'hermes', mode: 'silent', duration: '1500ms' }] });
    const countAtLoad = messages.length;
    const resumed = await waitFor(
      () => messages.find((m, i) => i >= countAtLoad && m.at - loadedAt > 1000),
      10_000,
      'events to resume',
    );
    // Nothing (at most an event already in flight) arrived during the silence.
    const during = messages.filter((m) => m.at > loadedAt + 100 && m.at < loadedAt + 1400);
    expect(during).toEqual([]);
    expect(resumed.at - loadedAt).toBeGreaterThanOrEqual(1400);
  });

  it('scenario "error-frame": the stream gets an event:error frame and ends; the client reconnects', async () => {
    const { messages, serverErrors, transportErrors } = connect(`ids[]=${USDC}`);
    await waitFor(() => messages[0], 5000, 'a first event');
    await postScenario(sim.url, {
      events: [{ type: 'hermes', mode: 'error-frame', message: 'Connection timeout reached (24h)', duration: '200ms' }],
    });
    const frame = await waitFor(() => serverErrors[0], 5000, 'an error frame');
    const r = parseHermesSseFrame({ event: 'error', data: frame }, { feedSymbols, receivedAt: 0 });
    expect(r.ok === false && r.error).toEqual({
      source: 'hermes',
      kind: 'stream-error',
      reason: 'connection-timeout',
      message: 'Connection timeout reached (24h)',
    });
    // End of body → transport error → eventsource reconnects (3 s default) and events flow again.
    await waitFor(() => transportErrors[0], 5000, 'end of stream');
    const count = messages.length;
    await waitFor(() => (messages.length > count ? true : undefined), 10_000, 'events after reconnect');
  });

  it('scenario "close": open streams end and new ones end at once', async () => {
    const { messages, transportErrors } = connect(`ids[]=${USDC}`);
    await waitFor(() => messages[0], 5000, 'a first event');
    await postScenario(sim.url, { events: [{ type: 'hermes', mode: 'close', duration: '1m' }] });
    await waitFor(() => transportErrors[0], 5000, 'the stream to end');
    const res = await fetch(`${sim.url}/hermes/v2/updates/price/stream?ids[]=${USDC}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it('scenario outage "drop" cuts open streams and refuses new connections', async () => {
    const { messages, transportErrors } = connect(`ids[]=${USDC}`);
    await waitFor(() => messages[0], 5000, 'a first event');
    await postScenario(sim.url, { events: [{ type: 'outage', source: 'hermes', mode: 'drop', duration: '1m' }] });
    await waitFor(() => transportErrors[0], 5000, 'the drop');
    await expect(fetch(`${sim.url}/hermes/v2/updates/price/latest?ids[]=${USDC}`)).rejects.toThrow();
  });
});
