import { DLQ_HEADERS, type OutgoingRecord, type RawRecord } from '@stableyield/kafka';
import { type DataTopic } from '@stableyield/schemas';
import pino from 'pino';
import { HermesPublisher } from './hermes-publisher';
import { type RecordSink } from './sink';

const USDC = 'eaa020c61cc479712813461ce153894a96a6c00b21ed0cfc2798d1f9a9e9c94a';
const ETH = 'ff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace';

class SlowSink implements RecordSink {
  sends: { topic: DataTopic; records: readonly OutgoingRecord[] }[] = [];
  raw: RawRecord[] = [];
  release: (() => void)[] = [];
  send<T extends DataTopic>(topic: T, records: readonly OutgoingRecord<T>[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    this.sends.push({ topic, records: records });
    return new Promise((resolve) => this.release.push(resolve));
  }
  sendRaw(records: readonly RawRecord[]): Promise<void> {
    this.raw.push(...records);
    return Promise.resolve();
  }
}

function event(publishTime: number, price = '99990000'): string {
  const feed = (id: string) => ({
    id,
    price: { price, conf: '5000', expo: -8, publish_time: publishTime },
    ema_price: { price, conf: '5000', expo: -8, publish_time: publishTime },
    metadata: { slot: publishTime * 3, prev_publish_time: publishTime - 1 },
  });
  return JSON.stringify({ binary: { encoding: 'hex', data: ['abcd', 'ef01'] }, parsed: [feed(USDC), feed(ETH)] });
}

function publisher(sink: SlowSink) {
  return new HermesPublisher({
    sink,
    feedSymbols: { [`0x${USDC}`]: 'USDC' },
    sourceUrl: 'http://hermes/stream?ids[]=x',
    logger: pino({ level: 'silent' }),
    now: () => 42,
  });
}

describe('HermesPublisher', () => {
  it(
    'publishes the whole event and the configured feeds\u2019 scaled prices' +
      ' (event time: when received), keyed as the catalog says',
    async () => {
      const sink = new SlowSink();
      const p = publisher(sink);
      expect(p.accept(event(100), 7)).toBe('queued');
      await Promise.resolve();
      expect(sink.sends.map((s) => s.topic)).toEqual(['pyth.updates', 'pyth.prices']);
      expect(sink.sends[0]!.records[0]).toMatchObject({
        key: 'hermes',
        timestamp: 100_000,
        value: { encoding: 'hex', data: ['abcd', 'ef01'], receivedAt: 7, ts: 100_000 },
      });
      expect(sink.sends[1]!.records).toEqual([
        {
          key: USDC,
          timestamp: 7,
          value: { symbol: 'USDC', feedId: USDC, price: 0.9999, conf: 0.00005, publishTime: 100, ts: 7 },
        },
      ]);
      sink.release.forEach((r) => r());
      await p.flush();
    },
  );

  it('drops repeats of (feed, publishTime) and batches what arrives while a send is in flight', async () => {
    const sink = new SlowSink();
    const p = publisher(sink);
    p.accept(event(100), 1);
    await Promise.resolve();
    expect(p.accept(event(100), 2)).toBe('duplicate');
    expect(p.accept(event(101), 3)).toBe('queued');
    expect(p.accept(event(102), 4)).toBe('queued');
    expect(sink.sends).toHaveLength(2);
    sink.release.splice(0).forEach((r) => r());
    await new Promise((r) => setImmediate(r));
    // The two events queued meanwhile go out together.
    expect(sink.sends).toHaveLength(4);
    expect(sink.sends[2]!.records.map((r) => (r.value as { ts: number }).ts)).toEqual([101_000, 102_000]);
    sink.release.splice(0).forEach((r) => r());
    await p.flush();
    expect(p.pending()).toBe(0);
  });

  it('dead-letters an invalid event with its reason, text and URL', async () => {
    const sink = new SlowSink();
    const p = publisher(sink);
    const bad = event(100).replace('"99990000"', '99990000');
    expect(p.accept(bad, 1)).toBe('invalid');
    await p.flush();
    expect(sink.raw).toHaveLength(1);
    expect(sink.raw[0]).toMatchObject({ topic: 'pyth.updates.dlq', value: bad });
    expect(sink.raw[0]!.headers![DLQ_HEADERS.reason]).toMatch(/^hermes: invalid payload: parsed\.0\.price\.price/);
    expect(sink.raw[0]!.headers!['upstream.url']).toBe('http://hermes/stream?ids[]=x');
    expect(sink.sends).toEqual([]);
  });
});

/** A sink whose sends fail while `down` (or whose dead-letter sends always fail), counting what it was given. */
class FlakySink implements RecordSink {
  down = false;
  refuseDeadLetters = false;
  sent: Record<string, number> = {};
  rawAttempts = 0;
  send<T extends DataTopic>(topic: T, records: readonly OutgoingRecord<T>[]): Promise<void> {
    if (this.down) return Promise.reject(new Error('broker unreachable'));
    this.sent[topic] = (this.sent[topic] ?? 0) + records.length;
    return Promise.resolve();
  }
  sendRaw(records: readonly RawRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    this.rawAttempts++;
    return this.refuseDeadLetters ? Promise.reject(new Error('RecordTooLarge')) : Promise.resolve();
  }
}

describe('HermesPublisher when the broker refuses', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const make = (sink: FlakySink, dropped: { what: string; count: number }[]) =>
    new HermesPublisher({
      sink,
      feedSymbols: { [`0x${USDC}`]: 'USDC' },
      sourceUrl: 'http://hermes/stream',
      logger: pino({ level: 'silent' }),
      now: () => 42,
      maxQueuedEvents: 5,
      maxQueuedDeadLetters: 2,
      onDropped: (what, count) => dropped.push({ what, count }),
    });

  it('holds at most maxQueuedEvents while Kafka is down, dropping the oldest and saying how many', async () => {
    const sink = new FlakySink();
    sink.down = true;
    const dropped: { what: string; count: number }[] = [];
    const p = make(sink, dropped);
    for (let t = 100; t < 120; t++) p.accept(event(t), t);
    await jest.advanceTimersByTimeAsync(0);
    expect(p.pending()).toBeLessThanOrEqual(5);
    expect(dropped.filter((d) => d.what === 'update').reduce((n, d) => n + d.count, 0)).toBe(15);
    sink.down = false;
    await jest.advanceTimersByTimeAsync(1_000);
    await p.flush();
    expect(sink.sent['pyth.updates']).toBe(5);
  });

  it('does not send acknowledged data again when a dead letter is refused', async () => {
    const sink = new FlakySink();
    sink.refuseDeadLetters = true;
    const p = make(sink, []);
    p.accept(event(100), 1);
    p.accept('{"not": "hermes"', 2); // invalid: a dead letter
    await jest.advanceTimersByTimeAsync(3_500);
    expect(sink.rawAttempts).toBeGreaterThanOrEqual(3);
    expect(sink.sent['pyth.updates']).toBe(1);
    expect(sink.sent['pyth.prices']).toBe(1);
  });
});
