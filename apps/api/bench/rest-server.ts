// Benchmark child: the API app (as buildApiApp wires it, against a real database) and a bare
// fastify route in one process, so both are measured on the same runtime.
import Fastify from 'fastify';
import { Pool } from 'pg';
import pino from 'pino';
import { Registry } from 'prom-client';
import { Authenticator, buildApiApp } from '@stableyield/api-core';
import { LatestSyi } from '@stableyield/live-feed';
import { constituent, syiRecord } from '@stableyield/live-feed/testing';

async function main(): Promise<void> {
  const [databaseUrl] = process.argv.slice(2);
  const pool = new Pool({ connectionString: databaseUrl, max: Number(process.env.PG_POOL_SIZE ?? 10) });
  pool.on('error', () => undefined);
  const latest = new LatestSyi();
  latest.offer(
    syiRecord({
      ts: Date.now(),
      eligible: 6,
      constituents: ['DAI', 'FDUSD', 'PYUSD', 'USDC', 'USDT', 'USDe'].map((s) => constituent(s, { weight: 1 / 6 })),
    }),
  );
  const logger = pino({ level: 'warn' });
  const api = await buildApiApp(
    {
      db: pool,
      latest,
      registry: new Registry(),
      logger,
      now: Date.now,
      knownSymbols: ['USDC'],
      authenticator: new Authenticator({ lookupKey: () => Promise.resolve(null) }),
      // As the app's ANSWER_FRESHNESS_MS (0: every request reads the database): to measure what the caching gives.
      ...(process.env.ANSWER_FRESHNESS_MS !== undefined
        ? { freshnessMs: Number(process.env.ANSWER_FRESHNESS_MS) }
        : {}),
    },
    // Production defaults, with a per-IP budget no single load generator exhausts; the keyed routes
    // measured are public here (a key lookup is cached and not what is measured).
    {
      publicRoutes: [
        '/api/index/latest',
        '/api/index/history',
        '/api/index/constituents/:symbol/history',
        '/api/yields',
      ],
      rateLimit: { perKey: 1e9, perIp: 1e9, windowMs: 60_000 },
      corsOrigins: [],
      trustProxy: false,
    },
  );
  await api.listen({ host: '127.0.0.1', port: 0 });
  const body = latest.get()!.body;
  const bare = Fastify({ logger: false });
  bare.get('/bare', (_req, reply) => reply.type('application/json').send(body));
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const portOf = (f: typeof bare) => (f.server.address() as { port: number }).port;
  process.send?.({ type: 'ready', apiPort: portOf(api as unknown as typeof bare), barePort: portOf(bare) });
  process.on('message', (m: { type: string }) => {
    if (m.type === 'stop') void Promise.all([api.close(), bare.close(), pool.end()]).then(() => process.exit(0));
  });
}

void main();
