import { performance } from 'node:perf_hooks';
import SwaggerParser from '@apidevtools/swagger-parser';
import WebSocket from 'ws';
import { signedChain, storeRecords } from '@stableyield/api-core/testing';
import { metricValue } from '@stableyield/sink-model/testing';
import { waitFor } from '@stableyield/kafka/testing';
import type { SyiRecord } from '@stableyield/schemas';
import { apiKeys, startServing, type ServingStack } from './testing';

let s: ServingStack;

beforeAll(async () => {
  s = await startServing({ RATE_LIMIT_PER_IP: '1000000', RATE_LIMIT_PER_KEY: '20', API_KEY_CACHE_MS: '200' });
}, 120_000);

afterAll(async () => {
  await s?.stop();
});

const get = async (path: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${s.apiUrl}${path}`, { headers });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text,
    json: () => JSON.parse(text) as Record<string, unknown>,
  };
};

interface Listener {
  ws: WebSocket;
  received: Map<number, number>;
  closed: Promise<number>;
}

async function listen(path = '/stream/syi/live'): Promise<Listener> {
  const ws = new WebSocket(s.streamUrl.replace('/stream/syi/live', path));
  const received = new Map<number, number>();
  ws.on('message', (data: Buffer) =>
    received.set((JSON.parse(data.toString()) as { ts: number }).ts, performance.now()),
  );
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, received, closed };
}

const HOUR = 3_600_000;
// Far from now, in a month of its own: nothing else writes there.
const T0 = Date.UTC(2030, 5, 1, 0, 0, 0);

describe('live path: syi.calculated → REST and WebSocket', () => {
  it('shows every committed record at /api/index/latest and at every WebSocket client within 100 ms', async () => {
    const listeners = await Promise.all([
      ...Array.from({ length: 8 }, () => listen()),
      listen('/stream/syi/constituents'),
      listen('/stream/syi/constituents'),
    ]);
    const records = signedChain(6, Date.now());
    const latencies: { publish: number; rest: number; ws: number }[] = [];
    for (const record of records) {
      const before = performance.now();
      // Resolves when the transaction is committed: from then on a read_committed consumer may see the record.
      await s.publisher.publish(record);
      const start = performance.now();
      let restAt = 0;
      await waitFor(
        'the record at /api/index/latest',
        async () => {
          const body = await get('/api/index/latest');
          if (body.status === 200 && body.json().ts === record.ts) restAt = performance.now();
          return restAt > 0;
        },
        5_000,
        1,
      );
      await waitFor('the record at every client', () => listeners.every((l) => l.received.has(record.ts)), 5_000, 1);
      latencies.push({
        publish: start - before,
        rest: restAt - start,
        ws: Math.max(...listeners.map((l) => l.received.get(record.ts)! - start)),
      });
    }
    console.log(
      JSON.stringify({
        liveLatencyMs: latencies.map((l) => ({
          publish: +l.publish.toFixed(1),
          rest: +l.rest.toFixed(1),
          ws: +l.ws.toFixed(1),
        })),
      }),
    );
    // The first record pays for connection set-up inside the apps; every later one is the steady state.
    for (const l of latencies.slice(1)) {
      expect(l.rest).toBeLessThan(100);
      expect(l.ws).toBeLessThan(100);
    }
    const latest = (await get('/api/index/latest')).json();
    expect(latest).toEqual(records.at(-1));
    for (const l of listeners) l.ws.close();
  });

  it('answers 304 to a matching If-None-Match and sends short-lived caching headers', async () => {
    const first = await get('/api/index/latest');
    expect(first.headers.get('cache-control')).toBe('public, max-age=1');
    const again = await get('/api/index/latest', { 'if-none-match': first.headers.get('etag')! });
    expect(again.status).toBe(304);
  });

  it('serves the constituents of the latest record', async () => {
    const res = await get('/api/index/constituents');
    expect(res.status).toBe(200);
    expect((res.json().constituents as { symbol: string }[]).map((c) => c.symbol)).toEqual(['USDC', 'USDT']);
  });
});

describe('stored data', () => {
  // Three hours of records every 10 s, with values that vary inside every bucket.
  const stored = signedChain(3 * 360, T0, { stepMs: 10_000, value: (i) => 4 + Math.sin(i / 7) + (i % 13) / 100 });

  beforeAll(async () => {
    await storeRecords(s.pool, s.variant, 'syi.calculated', stored);
  });

  function expectedOhlc(records: readonly SyiRecord[], bucketMs: number) {
    const buckets = new Map<number, SyiRecord[]>();
    for (const r of records) {
      const b = r.ts - (r.ts % bucketMs);
      buckets.set(b, [...(buckets.get(b) ?? []), r]);
    }
    return [...buckets].map(([bucket, rs]) => ({
      bucket,
      open: rs[0]!.value,
      close: rs.at(-1)!.value,
      high: Math.max(...rs.map((r) => r.value)),
      low: Math.min(...rs.map((r) => r.value)),
      avg: rs.reduce((a, r) => a + r.value, 0) / rs.length,
      samples: rs.length,
    }));
  }

  it.each([
    ['1m', 60_000],
    ['5m', 300_000],
    ['1h', HOUR],
  ] as const)('gives exact %s OHLC buckets of the inserted rows', async (interval, bucketMs) => {
    const res = await get(
      `/api/index/history?interval=${interval}&from=${new Date(T0).toISOString()}&to=${T0 + 3 * HOUR}`,
    );
    expect(res.status).toBe(200);
    const points = res.json().points as ReturnType<typeof expectedOhlc>;
    const expected = expectedOhlc(stored, bucketMs);
    expect(points).toHaveLength(expected.length);
    points.forEach((p, i) => {
      const e = expected[i]!;
      expect({ ...p, avg: 0 }).toEqual({ ...e, avg: 0 });
      expect(p.avg).toBeCloseTo(e.avg, 9);
    });
  });

  it('limits history to [from, to)', async () => {
    const res = await get(`/api/index/history?interval=5m&from=${T0 + 300_000}&to=${T0 + 900_000}`);
    expect((res.json().points as { bucket: number }[]).map((p) => p.bucket)).toEqual([T0 + 300_000, T0 + 600_000]);
  });

  it('verifies the digest chain and finds a tampered record', async () => {
    const from = T0 + HOUR;
    const to = T0 + 2 * HOUR;
    const key = (await apiKeys(s.databaseUrl, 'create', 'verify'))[0]!.key as string;
    const ok = (await get(`/api/index/verify?from=${from}&to=${to}`, { 'x-api-key': key })).json();
    expect(ok).toMatchObject({
      checked: 361,
      valid: true,
      complete: true,
      problemCount: 0,
      firstTs: from,
      lastTs: to,
      algorithm: 'sha256(canonicalJSON(record without digest))',
    });
    const victim = T0 + HOUR + 600_000;
    await s.pool.query('UPDATE syi_index SET value = value + 0.001 WHERE ts = $1', [new Date(victim).toISOString()]);
    const bad = (await get(`/api/index/verify?from=${from}&to=${to}`, { 'x-api-key': key })).json();
    expect(bad).toMatchObject({ valid: false, problemCount: 1, problems: [{ ts: victim, kind: 'digest_mismatch' }] });
  });

  it('gives a constituent history newest first', async () => {
    const key = (await apiKeys(s.databaseUrl, 'create', 'constituents'))[0]!.key as string;
    const res = await get(`/api/index/constituents/USDC/history?from=${T0}&to=${T0 + HOUR}&limit=3`, {
      authorization: `Bearer ${key}`,
    });
    expect(res.status).toBe(200);
    const points = res.json().points as { ts: number; weight: number }[];
    expect(points.map((p) => p.ts)).toEqual([T0 + HOUR, T0 + HOUR - 10_000, T0 + HOUR - 20_000]);
    expect(points[0]!.weight).toBe(0.55);
  });

  it('serves peg, yields and the T-bill from their tables', async () => {
    const now = Date.now();
    await storeRecords(s.pool, s.variant, 'syi.peg', [
      {
        symbol: 'USDC',
        ts: now - 120_000,
        price: 0.9991,
        devBps: -9,
        pegScore: 0.97,
        sigmaBps: 2,
        sampleCount: 1440,
        methodologyVersion: '1',
      },
      {
        symbol: 'USDC',
        ts: now - 60_000,
        price: 0.9998,
        devBps: -2,
        pegScore: 0.99,
        sigmaBps: 1.5,
        sampleCount: 1440,
        methodologyVersion: '1',
      },
    ]);
    await storeRecords(s.pool, s.variant, 'dl.apy', [
      {
        pool: 'p-small',
        project: 'aave-v3',
        chain: 'Ethereum',
        symbol: 'USDC',
        tvlUsd: 2e7,
        apyBase: 4,
        apyReward: null,
        apy: 4,
        ts: now - 60_000,
      },
      {
        pool: 'p-big',
        project: 'compound-v3',
        chain: 'Ethereum',
        symbol: 'USDC',
        tvlUsd: 9e8,
        apyBase: 5,
        apyReward: 0.2,
        apy: 5.2,
        ts: now - 60_000,
      },
      {
        pool: 'p-usdt',
        project: 'aave-v3',
        chain: 'Ethereum',
        symbol: 'USDT',
        tvlUsd: 5e8,
        apyBase: 6,
        apyReward: null,
        apy: 6,
        ts: now - 60_000,
      },
      {
        pool: 'p-stale',
        project: 'aave-v3',
        chain: 'Ethereum',
        symbol: 'USDC',
        tvlUsd: 5e9,
        apyBase: 6,
        apyReward: null,
        apy: 6,
        ts: now - 7 * HOUR,
      },
    ]);
    await storeRecords(s.pool, s.variant, 'trad.tbill', [
      { series: 'DGS3MO', rate: 3.9, date: '2026-11-20', ts: now - 4 * 24 * HOUR },
      { series: 'DGS3MO', rate: 3.88, date: '2026-11-23', ts: now - 24 * HOUR },
    ]);
    const key = (await apiKeys(s.databaseUrl, 'create', 'market'))[0]!.key as string;
    const h = { 'x-api-key': key };
    expect((await get('/api/peg/USDC', h)).json()).toMatchObject({
      symbol: 'USDC',
      price: 0.9998,
      devBps: -2,
      sampleCount: 1440,
    });
    expect((await get('/api/peg/DAI', h)).status).toBe(404);
    const yields = (await get('/api/yields?symbol=USDC', h)).json();
    expect((yields.pools as { pool: string }[]).map((p) => p.pool)).toEqual(['p-big', 'p-small']);
    expect((await get('/api/yields', h)).json().pools as unknown[]).toHaveLength(3);
    const tbill = (await get('/api/tbill?limit=5', h)).json();
    expect(tbill).toMatchObject({ latest: { series: 'DGS3MO', date: '2026-11-23', rate: 3.88 } });
    expect(tbill.history).toHaveLength(2);
  });
});

describe('requests the API refuses', () => {
  it.each([
    ['/api/index/history?interval=7m', 400, 'query parameter "interval"'],
    ['/api/index/history?from=last-week', 400, 'query parameter "from"'],
    ['/api/index/history?to=2026-01-01T24:00:00Z', 400, 'query parameter "to" must match pattern'],
    ['/api/index/latest?x=1', 400, 'query parameter "x" is not supported'],
    ['/api/nowhere', 404, 'no route GET /api/nowhere'],
  ])('%s → %i', async (path, status, message) => {
    const res = await get(path);
    expect(res.status).toBe(status);
    expect(res.json().message).toContain(message);
    expect(res.body).not.toMatch(/at .*\.ts:\d+/);
  });

  it('answers 401 without a key, 200 with one, 401 again once it is revoked', async () => {
    expect((await get('/api/tbill')).status).toBe(401);
    expect((await get('/api/tbill', { 'x-api-key': 'syk_not_a_key' })).status).toBe(401);
    const created = (await apiKeys(s.databaseUrl, 'create', 'revocable'))[0]!;
    expect((await get('/api/tbill', { 'x-api-key': created.key as string })).status).toBe(200);
    const listed = await apiKeys(s.databaseUrl, 'list');
    expect(listed.map((k) => k.id)).toContain(created.id);
    expect(JSON.stringify(listed)).not.toContain(created.key as string);
    await apiKeys(s.databaseUrl, 'revoke', created.id as string);
    await waitFor(
      'the revocation to take effect',
      async () => (await get('/api/tbill', { 'x-api-key': created.key as string })).status === 401,
      5_000,
      50,
    );
  });

  it('answers 429 with Retry-After past the per-key limit', async () => {
    const key = (await apiKeys(s.databaseUrl, 'create', 'limited'))[0]!.key as string;
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 21; i++) {
      const res = await get('/api/index/methodology', { 'x-api-key': key });
      statuses.push(res.status);
      retryAfter = res.headers.get('retry-after');
    }
    expect(statuses.slice(0, 20).every((c) => c === 200)).toBe(true);
    expect(statuses[20]).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });
});

describe('documents and operations', () => {
  it('publishes a valid OpenAPI 3 document and the interactive docs', async () => {
    const doc = (await get('/api/openapi.json')).json();
    await expect(SwaggerParser.validate(doc as never)).resolves.toBeDefined();
    expect((await get('/api/docs')).status).toBe(200);
  });

  it('serves the ticker page with its stream URL and a strict CSP', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain(`content="${s.streamUrl}"`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('exposes metrics, liveness and readiness on the health ports', async () => {
    const metrics = await (await fetch(`${s.apiHealthUrl}/metrics`)).text();
    expect(metricValue(metrics, 'api_requests_total', { route: '/api/index/latest', status: '200' })).toBeGreaterThan(
      0,
    );
    expect(
      metricValue(metrics, 'http_request_duration_seconds_count', {
        route: '/api/index/history',
        method: 'GET',
        status: '400',
      }),
    ).toBeGreaterThan(0);
    expect((await fetch(`${s.apiHealthUrl}/live`)).status).toBe(200);
    expect((await fetch(`${s.apiHealthUrl}/ready`)).status).toBe(200);
    const gateway = await (await fetch(`${s.gatewayHealthUrl}/metrics`)).text();
    expect(metricValue(gateway, 'websocket_messages_sent_total')).toBeGreaterThan(0);
    expect(metricValue(gateway, 'websocket_fanout_latency_seconds_count')).toBeGreaterThan(0);
  });

  it('closes WebSocket clients with 1001 when the gateway is stopped', async () => {
    const listener = await listen();
    await waitFor(
      'the gateway to count the client',
      async () =>
        metricValue(await (await fetch(`${s.gatewayHealthUrl}/metrics`)).text(), 'websocket_active_connections') >= 1,
      5_000,
      20,
    );
    s.gateway.child.kill('SIGTERM');
    expect(await listener.closed).toBe(1001);
    expect(await s.gateway.exited).toBe(0);
  });
});
