import { DLQ_HEADERS, type OutgoingRecord, type RawRecord } from '@stableyield/kafka';
import { type DataTopic } from '@stableyield/schemas';
import pino from 'pino';
import { MarketPoller } from './market-poller';
import { binanceCalls, binanceWeightPause, cryptoCompareCalls, fredCalls } from './market-sources';
import { type RecordSink } from './sink';

class MemorySink implements RecordSink {
  sent: { topic: DataTopic; records: readonly OutgoingRecord[] }[] = [];
  raw: RawRecord[] = [];
  send<T extends DataTopic>(topic: T, records: readonly OutgoingRecord<T>[]): Promise<void> {
    this.sent.push({ topic, records: records });
    return Promise.resolve();
  }
  sendRaw(records: readonly RawRecord[]): Promise<void> {
    this.raw.push(...records);
    return Promise.resolve();
  }
}

function poller(sink: MemorySink, body: string, status = 200, headers: Record<string, string> = {}) {
  const urls: string[] = [];
  const p = new MarketPoller({
    sink,
    retry: { retries: 0, backoff: { initialMs: 1, maxMs: 1 }, maxRetryAfterMs: 1 },
    timeoutMs: 1000,
    rateLimitPauseMs: 60_000,
    logger: pino({ level: 'silent' }),
    fetchDeps: {
      fetch: (url) => {
        urls.push(typeof url === 'string' ? url : url instanceof URL ? url.href : url.url);
        return Promise.resolve(new Response(body, { status, headers }));
      },
    },
    now: () => 1_700_000_000_000,
  });
  return { p, urls };
}

const ccBody = JSON.stringify({
  RAW: {
    USDC: { USD: { PRICE: 0.9999, LASTUPDATE: 1_699_999_990, VOLUME24HOURTO: 1234.5 } },
    USDE: { USD: { PRICE: 1.0002, LASTUPDATE: 1_699_999_991 } },
  },
});

describe('MarketPoller', () => {
  it(
    'publishes CryptoCompare prices with SYMBOL-venue keys, ' +
      'stamped with the fetch time (not LASTUPDATE), null volume when absent',
    async () => {
      const sink = new MemorySink();
      const [call] = cryptoCompareCalls({
        baseUrl: 'http://cc/',
        apiKey: 'secret',
        symbols: { USDC: 'USDC', USDE: 'USDe' },
      });
      expect(call!.headers).toEqual({ authorization: 'Apikey secret' });
      expect(call!.url).toBe('http://cc/data/pricemultifull?fsyms=USDC%2CUSDE&tsyms=USD');
      const { p } = poller(sink, ccBody);
      expect(await p.run(call!)).toEqual({ outcome: 'success', records: 2 });
      expect(sink.sent).toEqual([
        {
          topic: 'cc.prices',
          records: [
            {
              key: 'USDC-cryptocompare',
              value: {
                symbol: 'USDC',
                venue: 'cryptocompare',
                price: 0.9999,
                volume24hUsd: 1234.5,
                ts: 1_700_000_000_000,
              },
              timestamp: 1_700_000_000_000,
            },
            {
              key: 'USDe-cryptocompare',
              value: {
                symbol: 'USDe',
                venue: 'cryptocompare',
                price: 1.0002,
                volume24hUsd: null,
                ts: 1_700_000_000_000,
              },
              timestamp: 1_700_000_000_000,
            },
          ],
        },
      ]);
    },
  );

  it('publishes the latest FRED observation with its day in `date`, stamped with the fetch time', async () => {
    const sink = new MemorySink();
    const [call] = fredCalls({ baseUrl: 'http://fred', apiKey: 'k'.repeat(32), series: 'DGS3MO' });
    const { p } = poller(
      sink,
      '{"observations":[{"date":"2023-11-13","value":"5.27"},{"date":"2023-11-14","value":"5.25"}]}',
    );
    expect(await p.run(call!)).toEqual({ outcome: 'success', records: 1 });
    expect(sink.sent).toEqual([
      {
        topic: 'trad.tbill',
        records: [
          {
            key: 'yield-3m',
            value: { series: 'DGS3MO', rate: 5.25, date: '2023-11-14', ts: 1_700_000_000_000 },
            timestamp: 1_700_000_000_000,
          },
        ],
      },
    ]);
  });

  it('sends an invalid body whole to the DLQ with the reason and a masked URL, and publishes nothing', async () => {
    const sink = new MemorySink();
    const [call] = fredCalls({ baseUrl: 'http://fred', apiKey: 'k'.repeat(32), series: 'DGS3MO' });
    const body = '{"observations":[{"date":"2024-01-02","value":4.5}]}';
    const { p, urls } = poller(sink, body);
    expect(urls).toEqual([]);
    expect((await p.run(call!)).outcome).toBe('invalid');
    expect(sink.sent).toEqual([]);
    expect(sink.raw).toHaveLength(1);
    const dead = sink.raw[0]!;
    expect(dead.topic).toBe('trad.tbill.dlq');
    expect(dead.value).toBe(body);
    expect(dead.headers![DLQ_HEADERS.reason]).toBe(
      'fred: invalid payload: observations.0.value: Invalid input: expected string, received number',
    );
    expect(dead.headers![DLQ_HEADERS.kind]).toBe('invalid');
    expect(dead.headers!['upstream.url']).toContain('api_key=REDACTED');
    expect(JSON.stringify(dead)).not.toContain('k'.repeat(32));
    expect(urls[0]).toContain(`api_key=${'k'.repeat(32)}`);
  });

  it('dead-letters a non-JSON body and an HTTP 400 error body as upstream', async () => {
    const sink = new MemorySink();
    const [ticker] = binanceCalls({
      baseUrl: 'http://b',
      pairs: [{ pair: 'USDCUSDT', symbol: 'USDC' }],
      depthLimit: 5,
      weightLimitPerMinute: 6000,
    });
    expect((await poller(sink, '{"symbol":').p.run(ticker!)).outcome).toBe('invalid');
    expect(String(sink.raw[0]!.headers![DLQ_HEADERS.reason])).toMatch(/^binance: body is not JSON/);
    expect((await poller(sink, '{"code":-1121,"msg":"Invalid symbol."}', 400).p.run(ticker!)).outcome).toBe('invalid');
    expect(sink.raw[1]!.headers![DLQ_HEADERS.reason]).toBe('binance: HTTP 400: binance: error -1121: Invalid symbol.');
    expect(sink.raw[1]!.headers![DLQ_HEADERS.kind]).toBe('upstream');
  });

  it('waits out a rate limit reported in the body instead of dead-lettering it', async () => {
    const sink = new MemorySink();
    const [call] = cryptoCompareCalls({ baseUrl: 'http://cc', symbols: { USDC: 'USDC' } });
    const body = JSON.stringify({
      Response: 'Error',
      Message: 'You are over your rate limit please upgrade your account!',
      Type: 99,
    });
    expect(await poller(sink, body).p.run(call!)).toEqual({ outcome: 'rate_limited', records: 0, delayMs: 60_000 });
    expect(sink.raw).toEqual([]);
  });

  it('maps one depth answer to every pair entry, inverted ones included', async () => {
    const sink = new MemorySink();
    const calls = binanceCalls({
      baseUrl: 'http://b',
      pairs: [
        { pair: 'USDCUSDT', symbol: 'USDC' },
        { pair: 'USDCUSDT', symbol: 'USDT', invert: true },
      ],
      depthLimit: 5,
      weightLimitPerMinute: 6000,
    });
    expect(calls.map((c) => c.name)).toEqual(['binance-ticker-24hr', 'binance-depth-USDCUSDT']);
    const depth = JSON.stringify({ lastUpdateId: 1, bids: [['0.9990', '100']], asks: [['1.0000', '50']] });
    await poller(sink, depth).p.run(calls[1]!);
    const keys = sink.sent[0]!.records.map((r) => r.key);
    expect(keys).toEqual(['USDC-binance', 'USDT-binance']);
  });

  it('pauses Binance until the next minute near the used-weight limit', () => {
    const headers = (used: string) => new Headers({ 'x-mbx-used-weight-1m': used });
    expect(binanceWeightPause(headers('5000'), 6000, 120_000 + 15_000)).toBeNull();
    expect(binanceWeightPause(headers('5400'), 6000, 120_000 + 15_000)).toBe(45_000);
    expect(binanceWeightPause(new Headers(), 6000, 0)).toBeNull();
  });
});
