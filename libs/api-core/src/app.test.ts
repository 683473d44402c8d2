import SwaggerParser from '@apidevtools/swagger-parser';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { Registry } from 'prom-client';
import { LatestSyi } from '@stableyield/live-feed';
import { syiRecord } from '@stableyield/live-feed/testing';
import { DEFAULT_GRID_INTERVAL_MS } from '@stableyield/config';
import { buildApiApp, type ApiOptions } from './app';
import { Authenticator } from './auth';
import type { Queryable } from './db';
import { signJwt } from './jwt';
import type { RouteDeps } from './routes';

/** Answers the API's queries from canned rows (unit level; the SQL itself is tested against PostgreSQL). */
class CannedDb implements Queryable {
  readonly calls: { sql: string; params: unknown[] }[] = [];
  fail = false;
  constructor(private readonly rows: (sql: string, params: unknown[]) => object[] = () => []) {}
  query<R extends object>(sql: string, params: unknown[] = []): Promise<{ rows: R[]; rowCount: number }> {
    this.calls.push({ sql, params });
    if (this.fail) return Promise.reject(new Error('connection refused at /secret/path.ts:12'));
    const rows = this.rows(sql, params) as R[];
    return Promise.resolve({ rows, rowCount: rows.length });
  }
}

const KEY = 'syk_test_key';
const options: ApiOptions = {
  publicRoutes: ['/api/index/latest', '/api/index/history', '/api/index/methodology'],
  rateLimit: { perKey: 5, perIp: 3, windowMs: 60_000 },
  corsOrigins: ['https://example.org'],
  trustProxy: false,
};

async function setup(overrides: Partial<ApiOptions> = {}, db = new CannedDb(), routeDeps: Partial<RouteDeps> = {}) {
  const latest = new LatestSyi();
  const registry = new Registry();
  const app = await buildApiApp(
    {
      db,
      latest,
      registry,
      now: () => Date.UTC(2026, 0, 2),
      knownSymbols: ['USDC', 'USDT', 'DAI'],
      logger: pino({ level: 'silent' }),
      authenticator: new Authenticator({
        lookupKey: (k) => Promise.resolve(k === KEY ? 'key1' : null),
        jwt: { secret: 'jwt-secret' },
      }),
      ...routeDeps,
    },
    { ...options, ...overrides },
  );
  return { app, latest, db, registry };
}

// In-process requests (light-my-request); jest.preset.js compiles its ESM-only cookie@2 dependency.
const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

async function get(app: FastifyInstance, url: string, headers: Record<string, string> = {}) {
  if (!apps.includes(app)) apps.push(app);
  const res = await app.inject({ method: 'GET', url, headers });
  const body = res.body;
  return {
    statusCode: res.statusCode,
    headers: res.headers as Record<string, string | undefined>,
    body,
    json: () => JSON.parse(body) as Record<string, unknown>,
  };
}

describe('GET /api/index/latest', () => {
  it('is 503 with Retry-After before the first record', async () => {
    const { app } = await setup();
    const res = await get(app, '/api/index/latest');
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json()).toMatchObject({ statusCode: 503, message: 'no index value has been published yet' });
  });

  it('serves the latest record with an ETag, short caching and 304 on a match', async () => {
    const { app, latest } = await setup();
    const record = syiRecord({ ts: 1_767_300_000_000 });
    latest.offer(record);
    const res = await get(app, '/api/index/latest');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(record);
    expect(res.headers['cache-control']).toBe('public, max-age=1');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const etag = String(res.headers.etag);
    expect((await get(app, '/api/index/latest', { 'if-none-match': etag })).statusCode).toBe(304);
    latest.offer(syiRecord({ ts: 1_767_300_001_000 }));
    const changed = await get(app, '/api/index/latest', { 'if-none-match': etag });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
  });

  it('sets security headers and CORS for an allowed origin only', async () => {
    const { app, latest } = await setup();
    latest.offer(syiRecord());
    const res = await get(app, '/api/index/latest', { origin: 'https://example.org' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['access-control-allow-origin']).toBe('https://example.org');
    const other = await get(app, '/api/index/latest', { origin: 'https://evil.example' });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('GET /api/index/methodology', () => {
  it("tells the grid step the live index runs on: processor-syi's default unless configured", async () => {
    const { app } = await setup();
    const answer = (await get(app, '/api/index/methodology')).json() as { gridIntervalMs: number; version: string };
    expect(answer).toMatchObject({ gridIntervalMs: DEFAULT_GRID_INTERVAL_MS, version: '1' });
    const { app: coarse } = await setup({}, new CannedDb(), { gridIntervalMs: 1000 });
    expect((await get(coarse, '/api/index/methodology')).json()).toMatchObject({ gridIntervalMs: 1000 });
  });
});

describe('validation', () => {
  it.each([
    [
      '/api/index/history?interval=2m',
      'query parameter "interval" must be equal to one of the allowed values (1m, 5m, 1h, 1d)',
    ],
    ['/api/index/history?from=yesterday', 'query parameter "from" must match pattern'],
    ['/api/index/history?nope=1', 'query parameter "nope" is not supported'],
    // Times the pattern admits always parse: no 14-digit epochs, no month 13, no year before 1970.
    ['/api/index/history?from=17672256000000', 'query parameter "from" must match pattern'],
    ['/api/index/history?from=2026-13-01T00:00:00Z', 'query parameter "from" must match pattern'],
    ['/api/index/history?to=1969-12-31T00:00:00Z', 'query parameter "to" must match pattern'],
  ])('%s → 400 naming the parameter', async (url, message) => {
    const { app } = await setup();
    const res = await get(app, url);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain(message);
  });

  it('rejects a malformed symbol with 400 and an unknown one with 404', async () => {
    const { app } = await setup();
    const bad = await get(app, '/api/peg/US$DC', { 'x-api-key': KEY });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('path parameter "symbol"');
    const unknown = await get(app, '/api/peg/ZZZ', { 'x-api-key': KEY });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toBe('unknown symbol "ZZZ"');
    expect((await get(app, '/api/yields?symbol=ZZZ', { 'x-api-key': KEY })).statusCode).toBe(404);
  });

  it('rejects an out-of-range limit', async () => {
    const { app } = await setup();
    const res = await get(app, '/api/tbill?limit=0', { 'x-api-key': KEY });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('query parameter "limit" must be >= 1');
  });
});

describe('authentication', () => {
  it('answers 401 without credentials on protected routes and serves public ones', async () => {
    const { app, latest } = await setup();
    latest.offer(syiRecord());
    const res = await get(app, '/api/index/constituents');
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect((await get(app, '/api/index/constituents', { 'x-api-key': 'wrong' })).statusCode).toBe(401);
    expect((await get(app, '/api/index/constituents', { 'x-api-key': KEY })).statusCode).toBe(200);
    expect((await get(app, '/api/index/constituents', { authorization: `Bearer ${KEY}` })).statusCode).toBe(200);
    expect((await get(app, '/api/index/latest')).statusCode).toBe(200);
  });

  it('accepts a valid JWT', async () => {
    const { app, latest } = await setup();
    latest.offer(syiRecord());
    const token = signJwt({ sub: 'dashboard', exp: Math.floor(Date.now() / 1000) + 60 }, 'jwt-secret');
    expect((await get(app, '/api/index/constituents', { authorization: `Bearer ${token}` })).statusCode).toBe(200);
  });

  it('makes routes public by configuration', async () => {
    const { app, latest } = await setup({ publicRoutes: ['/api/index/*'] });
    latest.offer(syiRecord());
    expect((await get(app, '/api/index/constituents')).statusCode).toBe(200);
    expect((await get(app, '/api/tbill')).statusCode).toBe(401);
  });
});

describe('rate limiting', () => {
  it('limits per IP and per key separately, with 429 and Retry-After', async () => {
    const { app, latest } = await setup();
    latest.offer(syiRecord());
    for (let i = 0; i < 3; i++) expect((await get(app, '/api/index/latest')).statusCode).toBe(200);
    const limited = await get(app, '/api/index/latest');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json().message).toMatch(/rate limit of 3 requests per 60 s exceeded/);
    // The key has its own budget.
    for (let i = 0; i < 5; i++)
      expect((await get(app, '/api/index/latest', { 'x-api-key': KEY })).statusCode).not.toBe(429);
  });

  it('leaves the page and the API document alone', async () => {
    const { app } = await setup({ rateLimit: { perKey: 1, perIp: 1, windowMs: 60_000 } });
    for (let i = 0; i < 3; i++) expect((await get(app, '/api/openapi.json')).statusCode).toBe(200);
  });
});

describe('errors', () => {
  it('hides internal failures from clients', async () => {
    const db = new CannedDb();
    db.fail = true;
    const { app } = await setup({}, db);
    const res = await get(app, '/api/index/history');
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'internal error' });
    expect(res.body).not.toContain('secret');
  });

  it('answers 503 with Retry-After while the database is unreachable, when told which errors mean that', async () => {
    const db = new CannedDb();
    db.fail = true;
    const { app } = await setup({}, db, {
      isDatabaseUnreachable: (err) => (err as Error).message.startsWith('connection refused'),
    });
    const res = await get(app, '/api/index/history');
    expect([res.statusCode, res.headers['retry-after']]).toEqual([503, '5']);
    expect(res.json()).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'the database is unreachable for the moment; retry later',
    });
  });

  it('answers unknown paths with a JSON 404', async () => {
    const { app } = await setup();
    const res = await get(app, '/api/nothing?x=1');
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toBe('no route GET /api/nothing');
  });

  it('answers 405 with Allow to another method on a known path', async () => {
    const { app } = await setup();
    for (const [method, url] of [
      ['POST', '/api/index/latest'],
      ['TRACE', '/api/peg/USDC'],
      ['DELETE', '/api/index/constituents/USDC/history?limit=1'],
    ] as const) {
      const res = await app.inject({ method, url });
      expect([method, res.statusCode, res.headers.allow]).toEqual([method, 405, 'GET, HEAD']);
      expect(res.json()).toMatchObject({ statusCode: 405, error: 'Method Not Allowed' });
    }
    expect((await app.inject({ method: 'POST', url: '/api/index/nothing' })).statusCode).toBe(404);
  });
});

describe('history, verify and metrics', () => {
  it(
    'reads the aggregate of the interval between from and to, closed buckets once, and answers ' +
      '304 to a matching ETag',
    async () => {
      const hour = (h: number) => Date.UTC(2026, 0, 1, h);
      const aggregate = [hour(3), hour(22), hour(23)].map((t, i) => ({
        bucket: new Date(t),
        open: 1 + i,
        high: 2,
        low: 0.5,
        close: 1.5,
        avg: 1.2,
        samples: '3600',
      }));
      // The newest record lies in the 23:00 bucket: every bucket before it is closed.
      const db = new CannedDb((sql, params) => {
        if (sql.includes('max(ts)')) return [{ newest: new Date(hour(23) + 1_800_000) }];
        const [from, to] = params.map((p) => Date.parse(String(p)));
        return aggregate.filter((r) => r.bucket.getTime() >= from! && (to === undefined || r.bucket.getTime() < to));
      });
      const { app } = await setup({}, db);
      const res = await get(app, '/api/index/history?interval=1h&from=2026-01-01T00:00:00Z');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        interval: '1h',
        from: hour(0),
        to: Date.UTC(2026, 0, 2),
        complete: true,
        points: aggregate.map((r) => ({ ...r, bucket: r.bucket.getTime(), samples: 3600 })),
      });
      expect(res.headers['cache-control']).toBe('public, no-cache');
      expect(db.calls.map((c) => [c.sql.match(/FROM (\w+)/)![1], ...c.params])).toEqual([
        ['syi_index'],
        ['syi_index_1h', '2026-01-01T23:00:00.000Z'],
        ['syi_index_1h', '2026-01-01T00:00:00.000Z', '2026-01-01T23:00:00.000Z'],
      ]);
      // Within the freshness step nothing is read again; a closed range is final and long-lived.
      const closed = await get(app, '/api/index/history?interval=1h&from=2026-01-01T01:00:00Z&to=2026-01-01T23:00:00Z');
      expect(closed.json().points).toEqual([
        expect.objectContaining({ bucket: hour(3) }),
        expect.objectContaining({ bucket: hour(22) }),
      ]);
      expect(closed.headers['cache-control']).toBe('public, max-age=86400');
      expect(db.calls).toHaveLength(3);
      const again = await get(app, '/api/index/history?interval=1h&from=2026-01-01T00:00:00Z', {
        'if-none-match': `W/"other", ${res.headers.etag!}`,
      });
      expect([again.statusCode, again.body]).toEqual([304, '']);
      expect(db.calls).toHaveLength(3);
    },
  );

  it(
    'reads constituent history once per second and range, the next second of a range ending ' +
      'now ahead, with ETag and 304',
    async () => {
      const start = Date.UTC(2026, 0, 2);
      let clock = start + 600;
      const db = new CannedDb();
      const { app } = await setup({ publicRoutes: ['/api/index/constituents/:symbol/history'] }, db, {
        now: () => clock,
      });
      const reads = () => db.calls.filter((c) => c.sql.includes('FROM syi_constituents')).map((c) => c.params[2]);
      const first = await get(app, '/api/index/constituents/USDC/history');
      // `to` defaults to now rounded down to the second.
      expect(first.json()).toEqual({ symbol: 'USDC', from: start - 86_400_000, to: start, points: [] });
      await new Promise((resolve) => setImmediate(resolve));
      expect(reads()).toEqual(['2026-01-02T00:00:00.000Z', '2026-01-02T00:00:01.000Z']);
      expect(
        (await get(app, '/api/index/constituents/USDC/history', { 'if-none-match': first.headers.etag! })).statusCode,
      ).toBe(304);
      clock += 450; // the next second, read ahead: served without a read of its own
      expect((await get(app, '/api/index/constituents/USDC/history')).json().to).toBe(start + 1_000);
      expect(reads()).toEqual(['2026-01-02T00:00:00.000Z', '2026-01-02T00:00:01.000Z']);
    },
  );

  it('serves a range longer than one answer as its newest page, and a reversed range as an empty one', async () => {
    const db = new CannedDb();
    const { app } = await setup({}, db);
    const wide = await get(app, '/api/index/history?interval=1m&from=0');
    expect(wide.statusCode).toBe(200);
    // The default 10 000 buckets of a minute before `to` (now).
    expect(wide.json()).toMatchObject({
      from: Date.UTC(2026, 0, 2) - 10_000 * 60_000,
      to: Date.UTC(2026, 0, 2),
      complete: false,
    });
    const reversed = await get(app, '/api/index/history?from=1767225600000&to=1767225000000');
    expect([reversed.statusCode, reversed.json().points, reversed.json().complete]).toEqual([200, [], true]);
  });

  it('verifies at most 31 days forwards from `from` and says where it stopped', async () => {
    const db = new CannedDb();
    const { app } = await setup({}, db);
    const res = await get(app, '/api/index/verify?from=0', { 'x-api-key': KEY });
    expect(res.statusCode).toBe(200);
    // 31 days from `from`, not the whole range up to now.
    expect(res.json()).toMatchObject({ from: 0, to: 31 * 86_400_000, complete: false, checked: 0 });
    expect(db.calls[0]!.params.slice(0, 2)).toEqual(['1970-01-01T00:00:00.000Z', '1970-02-01T00:00:00.000Z']);
  });

  it('says how far the index was independently verified, in /api/index/verify and /api/index/audit', async () => {
    const check = {
      available: true,
      verifiedThrough: Date.UTC(2026, 0, 1, 23, 59),
      matched: 500,
      mismatched: 0,
      mismatchSeen: false,
      lastMismatchTs: null,
    };
    const { app } = await setup({ publicRoutes: ['/api/index/audit'] }, new CannedDb(), {
      independentCheck: () => Promise.resolve(check),
    });
    const verify = await get(app, '/api/index/verify', { 'x-api-key': KEY });
    expect(verify.json().independent).toEqual(check);
    const audit = await get(app, '/api/index/audit');
    expect([audit.statusCode, audit.json()]).toEqual([200, check]);
  });

  it('says "not available" when no auditor is wired', async () => {
    const { app } = await setup({ publicRoutes: ['/api/index/audit'] });
    expect((await get(app, '/api/index/audit')).json()).toMatchObject({
      available: false,
      verifiedThrough: null,
      mismatchSeen: false,
    });
  });

  it('counts requests by route pattern and status', async () => {
    const { app, registry } = await setup();
    await get(app, '/api/peg/USDC');
    const text = await registry.metrics();
    expect(text).toContain('api_requests_total{route="/api/peg/:symbol",status="401"} 1');
    expect(text).toMatch(
      /http_request_duration_seconds_count\{route="\/api\/peg\/:symbol",method="GET",status="401"\} 1/,
    );
  });
});

describe('OpenAPI', () => {
  it('is a valid OpenAPI 3 document listing every route, with security on protected ones', async () => {
    const { app } = await setup();
    const res = await get(app, '/api/openapi.json');
    const doc = res.json() as { openapi: string; paths: Record<string, { get: { security?: unknown } }> };
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/index/audit',
      '/api/index/constituents',
      '/api/index/constituents/{symbol}/history',
      '/api/index/history',
      '/api/index/latest',
      '/api/index/methodology',
      '/api/index/onchain',
      '/api/index/verify',
      '/api/peg/{symbol}',
      '/api/tbill',
      '/api/yields',
    ]);
    expect(doc.paths['/api/peg/{symbol}']!.get.security).toEqual([{ apiKey: [] }, { bearer: [] }]);
    expect(doc.paths['/api/index/latest']!.get.security).toBeUndefined();
  });

  it('documents every status a route can answer, with the error schema and the auth headers', async () => {
    const { app } = await setup();
    type Operation = {
      responses: Record<
        string,
        {
          description: string;
          headers?: Record<string, unknown>;
          content?: Record<string, { schema: { required?: string[] } }>;
        }
      >;
    };
    const doc = (await get(app, '/api/openapi.json')).json() as {
      components: { securitySchemes: Record<string, unknown> };
      paths: Record<string, { get: Operation }>;
    };
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKey', 'bearer']);
    const statuses = (path: string) => Object.keys(doc.paths[path]!.get.responses).sort();
    expect(statuses('/api/peg/{symbol}')).toEqual(['200', '400', '401', '404', '429', '503']);
    expect(statuses('/api/index/latest')).toEqual(['200', '304', '400', '429', '503']);
    expect(statuses('/api/index/history')).toEqual(['200', '304', '400', '429', '503']);
    expect(Object.keys(doc.paths['/api/index/history']!.get.responses['200']!.headers!).sort()).toEqual([
      'Cache-Control',
      'ETag',
    ]);
    expect(doc.paths['/api/yields']!.get.responses['200']!.headers).toHaveProperty('ETag');
    expect(statuses('/api/index/verify')).toEqual(['200', '400', '401', '429', '503']);
    expect(statuses('/api/index/methodology')).toEqual(['200', '400', '429']);
    const unauthorized = doc.paths['/api/tbill']!.get.responses['401']!;
    expect(unauthorized.headers).toHaveProperty('WWW-Authenticate');
    expect(unauthorized.content?.['application/json']?.schema.required).toEqual(['statusCode', 'error', 'message']);
    expect(doc.paths['/api/yields']!.get.responses['429']!.headers).toHaveProperty('Retry-After');
  });

  it('leaves 429 out when there is no rate limit', async () => {
    const { app } = await setup({ rateLimit: null });
    const doc = (await get(app, '/api/openapi.json')).json() as {
      paths: Record<string, { get: { responses: Record<string, unknown> } }>;
    };
    expect(Object.keys(doc.paths['/api/tbill']!.get.responses).sort()).toEqual(['200', '400', '401', '404', '503']);
  });

  it('serves the interactive docs', async () => {
    const { app } = await setup();
    const res = await get(app, '/api/docs');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('/api/docs/swagger-ui-bundle.js');
    const bundle = await get(app, '/api/docs/swagger-ui-bundle.js');
    expect(bundle.statusCode).toBe(200);
    expect(bundle.headers['content-type']).toMatch(/javascript/);
  });
});
