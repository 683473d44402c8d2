/**
 * The cached history path against the old one on a recorded database: the route as it was
 * (one query of the aggregate per request, fastify's serializer) and `buildApiApp`'s route
 * (closed buckets in process, the open one read again each freshness step, bodies encoded once)
 * must give the same bytes for every range, while records keep arriving and the aggregates'
 * materialised buckets move on as sink-timescale moves them.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { Pool } from 'pg';
import pino from 'pino';
import { Registry } from 'prom-client';
import { migrate, type StorageVariant } from '@stableyield/postgres';
import { createTestDatabase } from '@stableyield/postgres/testing';
import { LatestSyi } from '@stableyield/live-feed';
import { buildApiApp } from './app';
import { Authenticator } from './auth';
import { INTERVAL_MS, INTERVALS, indexHistory, type Interval } from './queries';
import { historySchema, timeParam } from './schemas';
import { signedChain, storeRecords } from './testing';
import { timeRange } from './time-range';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MAX_POINTS = 500;
const DEFAULT_SPAN: Record<Interval, number> = { '1m': 6 * HOUR, '5m': DAY, '1h': 7 * DAY, '1d': 365 * DAY };
// A month of its own, far from now.
const T0 = Date.UTC(2041, 2, 1);

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: Pool;
let variant: StorageVariant;
let clock = T0;
let cached: FastifyInstance;
let old: FastifyInstance;

/** The route before the cache, as it was: the aggregate read per request, the object serialized by fastify. */
async function oldRoute(db: Pool): Promise<FastifyInstance> {
  const app = Fastify({
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  });
  app.get<{ Querystring: { from?: string; to?: string; interval: Interval } }>(
    '/api/index/history',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            from: timeParam('start'),
            to: timeParam('end'),
            interval: { type: 'string', enum: [...INTERVALS], default: '1m' },
          },
        },
        response: { 200: historySchema },
      },
    },
    async (request) => {
      const { interval } = request.query;
      const { from, to, clipped } = timeRange(
        request.query,
        clock,
        DEFAULT_SPAN[interval],
        MAX_POINTS * INTERVAL_MS[interval],
      );
      return { interval, from, to, complete: !clipped, points: await indexHistory(db, interval, from, to) };
    },
  );
  await app.ready();
  return app;
}

beforeAll(async () => {
  database = await createTestDatabase('apihist');
  pool = new Pool({ connectionString: database.url, max: 4 });
  ({ variant } = await migrate(pool, pino({ level: 'silent' })));
  cached = await buildApiApp(
    {
      db: pool,
      latest: new LatestSyi(),
      registry: new Registry(),
      logger: pino({ level: 'silent' }),
      now: () => clock,
      knownSymbols: ['USDC'],
      authenticator: new Authenticator({ lookupKey: () => Promise.resolve(null) }),
      maxHistoryPoints: MAX_POINTS,
      freshnessMs: 1_000,
    },
    { publicRoutes: ['/api/index/history'], rateLimit: null, corsOrigins: [], trustProxy: false },
  );
  old = await oldRoute(pool);
}, 60_000);

afterAll(async () => {
  await cached?.close();
  await old?.close();
  await pool?.end();
  await database?.drop();
});

/** A deterministic stream of pseudo-random numbers (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const inject = (app: FastifyInstance, url: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url, headers });

async function expectSameAnswers(urls: readonly string[]): Promise<void> {
  for (const url of urls) {
    const [a, b] = [await inject(old, url), await inject(cached, url)];
    expect({ url, status: b.statusCode, type: b.headers['content-type'], body: b.body }).toEqual({
      url,
      status: a.statusCode,
      type: a.headers['content-type'],
      body: a.body,
    });
  }
}

function rangesAround(newest: number, next: () => number): string[] {
  const urls: string[] = [];
  for (const interval of INTERVALS) {
    const width = INTERVAL_MS[interval];
    urls.push(`/api/index/history?interval=${interval}`); // default range, ending now
    // everything, open bucket included
    urls.push(`/api/index/history?interval=${interval}&from=${T0}&to=${newest + width}`);
    // closed up to the open bucket
    urls.push(`/api/index/history?interval=${interval}&from=${T0 - DAY}&to=${newest - (newest % width)}`);
    for (let i = 0; i < 6; i++) {
      const from = T0 - HOUR + Math.floor(next() * (newest - T0 + 2 * HOUR));
      const span = Math.floor((next() - 0.1) * 600 * width);
      urls.push(`/api/index/history?interval=${interval}&from=${from}&to=${from + span}`);
    }
  }
  return urls;
}

describe('GET /api/index/history, cached against the old path on a recorded database', () => {
  it('gives the same bytes for every range while records arrive and the aggregates are refreshed', async () => {
    const next = random(20_261_206);
    // Two days of records every 10 s, values that vary inside every bucket.
    let records = signedChain(2 * 8_640, T0, { stepMs: 10_000, value: (i) => 4 + Math.sin(i / 50) + (i % 7) / 100 });
    await storeRecords(pool, variant, 'syi.calculated', records);
    for (let round = 0; round < 12; round++) {
      const newest = records.at(-1)!.ts;
      clock = newest + 1_000; // a whole second: a default range is the same range on both paths
      await expectSameAnswers(rangesAround(newest, next));
      // Then 1–40 records more (some rounds cross bucket ends), in order as processor-syi writes them,
      // and now and then the aggregates' refresh, as sink-timescale runs it.
      records = signedChain(1 + Math.floor(next() * 40), newest + 10_000, {
        stepMs: 10_000,
        prevDigest: records.at(-1)!.digest,
        value: (i) => 3 + next() + i / 1000,
      });
      await storeRecords(pool, variant, 'syi.calculated', records);
      if (round % 3 === 2) await pool.query('SELECT refresh_syi_index_aggregates()');
      clock = records.at(-1)!.ts + 1_000;
    }
  }, 120_000);

  it('is at most one freshness step behind the database, with ETag, 304 and caching headers', async () => {
    const newest = Number((await pool.query<{ t: Date }>('SELECT max(ts) AS t FROM syi_index')).rows[0]!.t.getTime());
    const open = `/api/index/history?interval=5m&from=${newest - HOUR}&to=${newest + HOUR}`;
    const closedTo = newest - (newest % 300_000);
    const closed = `/api/index/history?interval=5m&from=${newest - HOUR}&to=${closedTo}`;
    clock += 1_000;
    const first = await inject(cached, open);
    expect(first.headers['cache-control']).toBe('public, no-cache');
    expect((await inject(cached, closed)).headers['cache-control']).toBe('public, max-age=86400');
    expect((await inject(cached, open, { 'if-none-match': String(first.headers.etag) })).statusCode).toBe(304);

    const [next] = signedChain(1, newest + 10_000, { prevDigest: null, value: () => 99 });
    await storeRecords(pool, variant, 'syi.calculated', [next!]);
    clock += 999; // within the step: the answer held may still be served
    expect((await inject(cached, open)).body).toBe(first.body);
    clock += 1;
    const fresh = await inject(cached, open);
    expect(fresh.body).not.toBe(first.body);
    expect(fresh.body).toBe((await inject(old, open)).body);
    expect(fresh.headers.etag).not.toBe(first.headers.etag);
    expect((await inject(cached, open, { 'if-none-match': String(first.headers.etag) })).statusCode).toBe(200);
  });
});
