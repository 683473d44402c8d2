// REST benchmark: requests/s and latency of /api/index/latest and of a history query, with a
// bare fastify route (same body) in the same run as the ceiling. Prints one JSON document.
// Run: npx tsx apps/api/bench/rest.ts [seconds]
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Pool } from 'pg';
import pino from 'pino';
import { signedChain, storeRecords } from '@stableyield/api-core/testing';
import { migrate } from '@stableyield/db';
import { createTestDatabase } from '@stableyield/db/testing';

const SECONDS = Number(process.argv[2] ?? 10);
const CONNECTIONS = 64;
const DAY = 86_400_000;

async function main(): Promise<void> {
  const database = await createTestDatabase('apibench');
  try {
    const pool = new Pool({ connectionString: database.url });
    const { variant } = await migrate(pool, pino({ level: 'warn' }));
    // Seven days of records every 10 s (60 480 rows), the last one ending now.
    const end = Date.now() - (Date.now() % 10_000);
    const records = signedChain(7 * 8_640, end - 7 * DAY, { stepMs: 10_000, value: (i) => 4 + Math.sin(i / 500) });
    for (let i = 0; i < records.length; i += 10_000) await storeRecords(pool, variant, 'syi.calculated', records.slice(i, i + 10_000));
    // As sink-timescale does every AGGREGATE_REFRESH_MS: materialise the complete buckets (plain PostgreSQL).
    await pool.query('SELECT refresh_syi_index_aggregates()');
    await pool.query('ANALYZE');
    await pool.end();

    const server = fork(join(__dirname, 'rest-server.ts'), [database.url], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const { apiPort, barePort } = await new Promise<{ apiPort: number; barePort: number }>((resolve) => server.once('message', resolve));
    const from = end - DAY;
    const scenarios = [
      { name: 'bare fastify route (ceiling)', url: `http://127.0.0.1:${barePort}/bare` },
      { name: 'GET /api/index/latest', url: `http://127.0.0.1:${apiPort}/api/index/latest` },
      { name: 'GET /api/index/history 5m over 24 h (288 points)', url: `http://127.0.0.1:${apiPort}/api/index/history?interval=5m&from=${from}&to=${end}` },
      { name: 'GET /api/index/history 1h over 7 d (168 points)', url: `http://127.0.0.1:${apiPort}/api/index/history?interval=1h&from=${end - 7 * DAY}&to=${end}` },
    ];
    const results = [];
    for (const s of scenarios) {
      await autocannon({ url: s.url, connections: 8, duration: 2 }); // warm-up (JIT, pool)
      const r = await autocannon({ url: s.url, connections: CONNECTIONS, duration: SECONDS });
      results.push({
        scenario: s.name,
        requestsPerSec: Math.round(r.requests.average),
        latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
        requests: r.requests.total,
        non2xx: r.non2xx,
        errors: r.errors + r.timeouts,
      });
    }
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.send({ type: 'stop' });
    await exited;
    const latest = results[1]!;
    console.log(JSON.stringify({
      benchmark: 'rest', connections: CONNECTIONS, seconds: SECONDS, rowsInSyiIndex: records.length, storage: variant, loadAverage1m: +loadavg()[0]!.toFixed(2),
      target: { latestRequestsPerSec: 15_000, met: latest.requestsPerSec >= 15_000 }, results,
    }, null, 2));
  } finally {
    await database.drop();
  }
}

void main();
