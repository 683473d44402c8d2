// ingest-market against a real market-sim and the real broker: every topic gets schema-valid records
// with the simulator's values, bad bodies go to the DLQ and polling goes on, 429 is waited out.
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { simPerFile } from '@stableyield/app-market-sim/test/sim';
import { DLQ_HEADERS, readDeadLetterHeaders } from '@stableyield/kafka';
import { endOffsets, readTopic, stackWithTopics, testPrefix, waitFor } from '@stableyield/kafka/testing';
import { defiLlamaPoolsBody, simulatedMarketUpstreams } from '@stableyield/market-model';
import { ingesterTestDeps } from '@stableyield/ingest/testing';
import { createLogger, type createMetricsRegistry, type Readiness } from '@stableyield/observability';
import { type DataTopic } from '@stableyield/schemas';
import { loadAppConfig } from './config';
import { createIngestMarket, type IngestMarket } from './ingest-market';

const FRED_KEY = 'f'.repeat(32);
// Never the production topics: a live `npm start` may be reading them.
const prefix = testPrefix('ingest-market');
const physical = (topic: string) => `${prefix}${topic}`;
const stack = stackWithTopics(prefix);
const { sim, scenario } = simPerFile({ tickRate: 2.5 });
let app: IngestMarket | null = null;

afterEach(async () => {
  await app?.stop();
  app = null;
});

interface Started {
  published: Map<string, number>;
  outcomes: { call: string; outcome: string }[];
  registry: ReturnType<typeof createMetricsRegistry>;
  readiness: Readiness;
}

async function start(env: Record<string, string>, fetchFn?: typeof fetch): Promise<Started> {
  const config = loadAppConfig({
    ...simulatedMarketUpstreams(sim().url),
    FRED_API_KEY: FRED_KEY,
    CRYPTOCOMPARE_INTERVAL_MS: '300',
    BINANCE_INTERVAL_MS: '300',
    DEFILLAMA_YIELDS_INTERVAL_MS: '300',
    DEFILLAMA_STABLECOINS_INTERVAL_MS: '300',
    FRED_INTERVAL_MS: '300',
    HTTP_BACKOFF_INITIAL_MS: '50',
    HTTP_BACKOFF_MAX_MS: '200',
    LOG_LEVEL: 'silent',
    TOPIC_PREFIX: prefix,
    ...env,
  });
  const deps = ingesterTestDeps(stack, 'ingest-market-test');
  const published = new Map<string, number>();
  const outcomes: Started['outcomes'] = [];
  app = createIngestMarket(config, createLogger({ app: 'ingest-market-test', level: 'silent' }), {
    ...deps,
    ...(fetchFn === undefined ? {} : { fetch: fetchFn }),
    hooks: {
      published: (c, n) => published.set(c.topic, (published.get(c.topic) ?? 0) + n),
      fetched: (c, outcome) => outcomes.push({ call: c.name, outcome }),
    },
  });
  await app.start();
  return { published, outcomes, registry: deps.registry, readiness: deps.readiness };
}

/** Reads a topic from offsets until `keys` distinct keys arrived, and decodes the values. */
async function readDecoded<T extends DataTopic>(topic: T, from: Map<number, string>, keys: number) {
  const messages = await readTopic(stack.kafka, physical(topic), {
    from,
    timeoutMs: 30_000,
    done: (m) => new Set(m.map((x) => x.key?.toString())).size >= keys,
  });
  return Promise.all(
    messages.map(async (m) => ({ key: m.key!.toString(), value: await stack.serde.deserialize(topic, m.value!) })),
  );
}

describe('ingest-market on market-sim and Kafka', () => {
  it('publishes schema-valid records with the simulator values to every topic (USDC depeg scenario)', async () => {
    await scenario({
      name: 'usdc-depeg-now',
      events: [{ type: 'depeg', at: 0, symbol: 'USDC', price: 0.97, ramp: 0 }],
    });
    const topics = ['cc.prices', 'cc.orderbook', 'dl.apy', 'ex.mktcap', 'trad.tbill'] as const;
    const from = new Map(
      await Promise.all(topics.map(async (t) => [t, await endOffsets(stack.kafka, physical(t))] as const)),
    );
    const started = await start({});
    await waitFor('every topic published', () => topics.every((t) => (started.published.get(t) ?? 0) > 0), 20_000);
    await waitFor('ready', async () => (await started.readiness.failing()).length === 0, 5_000);
    const fetchedAt = Date.now();
    await app!.stop();
    app = null;

    const prices = await readDecoded('cc.prices', from.get('cc.prices')!, 12);
    const latest = new Map(prices.map((r) => [r.key, r.value]));
    for (const symbol of ['DAI', 'FDUSD', 'PYUSD', 'USDC', 'USDT', 'USDe']) {
      for (const venue of ['cryptocompare', 'binance']) {
        const record = latest.get(`${symbol}-${venue}`);
        expect(record).toMatchObject({ symbol, venue });
        expect(record!.volume24hUsd).toBeGreaterThan(0);
        expect(Math.abs(record!.ts - fetchedAt)).toBeLessThan(120_000);
        const expected = symbol === 'USDC' ? 0.97 : symbol === 'USDT' && venue === 'binance' ? 1 / 0.97 : 1;
        expect(Math.abs(record!.price - expected) / expected).toBeLessThan(0.003);
      }
    }

    const books = await readDecoded('cc.orderbook', from.get('cc.orderbook')!, 6);
    for (const { key, value } of books) {
      expect(key).toBe(`${value.symbol}-binance`);
      expect(value.bids.length).toBe(100);
      expect(value.bids[0]![0]).toBeLessThan(value.asks[0]![0]);
      const mid = (value.bids[0]![0] + value.asks[0]![0]) / 2;
      expect(Math.abs(mid - (value.symbol === 'USDC' ? 0.97 : value.symbol === 'USDT' ? 1 / 0.97 : 1))).toBeLessThan(
        0.005,
      );
    }

    // dl.apy: exactly the simulator's single-asset pools of the constituents (STETH, SUSDE, USDC-USDT dropped).
    const expectedPools = defiLlamaPoolsBody(sim().state.market, fetchedAt)
      .data.filter(
        (p) =>
          p['exposure'] === 'single' &&
          ['DAI', 'FDUSD', 'PYUSD', 'USDC', 'USDT', 'USDe'].includes(p['symbol'] as string),
      )
      .map((p) => p['pool'] as string);
    expect(expectedPools.length).toBeGreaterThanOrEqual(18);
    const pools = await readDecoded('dl.apy', from.get('dl.apy')!, expectedPools.length);
    expect([...new Set(pools.map((p) => p.key))].sort()).toEqual([...expectedPools].sort());
    for (const { key, value } of pools) expect(key).toBe(value.pool);
    expect(pools.some((p) => p.value.apyBase === null)).toBe(true);

    const caps = await readDecoded('ex.mktcap', from.get('ex.mktcap')!, 6);
    const usdt = caps.find((c) => c.key === 'USDT')!.value;
    expect(usdt.marketCapUsd / 1.277e11).toBeGreaterThan(0.9);
    expect(usdt.marketCapUsd / 1.277e11).toBeLessThan(1.1);
    expect(caps.map((c) => c.key)).not.toContain('USDS');

    const tbill = await readDecoded('trad.tbill', from.get('trad.tbill')!, 1);
    expect(tbill[0]!.key).toBe('yield-3m');
    expect(tbill[0]!.value.series).toBe('DGS3MO');
    // the observation's day is `date`; its event time is when the ingester fetched it
    expect(tbill[0]!.value.ts).toBeGreaterThan(Date.parse(`${tbill[0]!.value.date}T00:00:00Z`));
    expect(Math.abs(tbill[0]!.value.ts - Date.now())).toBeLessThan(120_000);
    expect(tbill[0]!.value.date < new Date().toISOString().slice(0, 10)).toBe(true);
    expect(tbill[0]!.value.rate).toBeGreaterThan(0);
  });

  it('dead-letters malformed bodies with the reason and the masked URL, and keeps publishing', async () => {
    const fromDlq = await endOffsets(stack.kafka, physical('trad.tbill.dlq'));
    const fromCcDlq = await endOffsets(stack.kafka, physical('cc.prices.dlq'));
    await scenario({
      events: [
        { type: 'malformed', at: 0, source: 'fred', rate: 1, duration: '1500ms' },
        { type: 'malformed', at: 0, source: 'cryptocompare', rate: 1, duration: '1500ms' },
      ],
    });
    const started = await start({ INGEST_SOURCES: 'fred,cryptocompare' });
    const dead = await readTopic(stack.kafka, physical('trad.tbill.dlq'), {
      from: fromDlq,
      done: (m) => m.length >= 2,
      timeoutMs: 20_000,
    });
    expect(dead.length).toBeGreaterThanOrEqual(2);
    for (const m of dead) {
      const headers = readDeadLetterHeaders(m.headers);
      expect(headers[DLQ_HEADERS.reason]).toMatch(/^fred: (invalid payload|body is not JSON)/);
      expect(headers[DLQ_HEADERS.kind]).toBe('invalid');
      expect(headers['upstream.url']).toContain('api_key=REDACTED');
      expect(JSON.stringify(headers)).not.toContain(FRED_KEY);
      expect(m.value!.length).toBeGreaterThan(0);
    }
    const ccDead = await readTopic(stack.kafka, physical('cc.prices.dlq'), {
      from: fromCcDlq,
      done: (m) => m.length >= 1,
      timeoutMs: 20_000,
    });
    expect(readDeadLetterHeaders(ccDead[0]!.headers)[DLQ_HEADERS.reason]).toMatch(/^cryptocompare: /);
    // After the malformed period both sources publish again.
    await waitFor(
      'publishing resumed',
      () => (started.published.get('trad.tbill') ?? 0) > 0 && (started.published.get('cc.prices') ?? 0) > 0,
      20_000,
    );
    const dlqMetric = await started.registry.getSingleMetric('dlq_records_total')?.get();
    expect(dlqMetric?.values.reduce((n, v) => n + v.value, 0)).toBeGreaterThanOrEqual(3);
  });

  it('retries a 503 outage and recovers', async () => {
    await scenario({ events: [{ type: 'outage', at: 0, source: 'binance', mode: '503', duration: '1s' }] });
    const started = await start({ INGEST_SOURCES: 'binance', HTTP_RETRIES: '1' });
    await waitFor('binance published after the outage', () => (started.published.get('cc.prices') ?? 0) > 0, 20_000);
    expect(started.outcomes.some((o) => o.outcome === 'error')).toBe(true);
    expect(started.outcomes[started.outcomes.length - 1]!.outcome).toBe('success');
  });

  it('waits out a 429 for its Retry-After', async () => {
    // A proxy in front of the simulator answers the first CryptoCompare request with 429.
    const seen: number[] = [];
    const proxy: Server = createServer((req, res) => {
      seen.push(Date.now());
      if (seen.length === 1) {
        res.writeHead(429, { 'retry-after': '1', 'content-type': 'text/plain' }).end('Too Many Requests');
        return;
      }
      void fetch(`${sim().url}${req.url}`).then(async (upstream) =>
        res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text()),
      );
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const started = await start({
        INGEST_SOURCES: 'cryptocompare',
        CRYPTOCOMPARE_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/cryptocompare`,
      });
      await waitFor('published after the 429', () => (started.published.get('cc.prices') ?? 0) > 0, 20_000);
      expect(seen[1]! - seen[0]!).toBeGreaterThanOrEqual(950);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('fails at start with a clear message on bad configuration', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'main.ts')], {
      env: { PATH: process.env['PATH'], BINANCE_PAIRS: 'USDCUSDT', HEALTH_PORT: '0' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Invalid configuration');
    expect(result.stderr).toContain('BINANCE_PAIRS: "USDCUSDT" is not PAIR:SYMBOL or PAIR:SYMBOL:invert');
  });
});
