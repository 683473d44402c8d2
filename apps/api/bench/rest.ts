// REST benchmark: requests/s and latency of /api/index/latest and of a history query, with a
// bare fastify route (same body) in the same run as the ceiling. Prints one JSON document.
// Run: npx tsx apps/api/bench/rest.ts [seconds]
// Load: wrk (Debian's package, C, two threads) when it is installed, else autocannon — autocannon
// runs on Node's single thread and saturates before the server does on a 2-core machine.
// LOAD=autocannon forces autocannon.
import { execFileSync, fork } from 'node:child_process';
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

interface LoadResult { requestsPerSec: number; latencyMs: { p50: number; p99: number; max: number }; requests: number; non2xx: number; errors: number }

function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // wrk --version exits 1 after printing its version; only a missing binary is ENOENT
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

const LOAD = process.env.LOAD ?? (hasWrk() ? 'wrk' : 'autocannon');

async function loadWithAutocannon(url: string, connections: number, seconds: number): Promise<LoadResult> {
  const r = await autocannon({ url, connections, duration: seconds });
  return {
    requestsPerSec: Math.round(r.requests.average),
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

/** wrk's duration text ("812.00us", "1.23ms", "2.01s") in milliseconds. */
function wrkMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!m) throw new Error(`unexpected wrk duration ${text}`);
  const factor = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[m[2] as 'us' | 'ms' | 's' | 'm'];
  return +(Number(m[1]) * factor).toFixed(3);
}

function parseWrk(output: string): LoadResult {
  const field = (re: RegExp): string => {
    const m = re.exec(output);
    if (!m?.[1]) throw new Error(`wrk output lacks ${re.source}:\n${output}`);
    return m[1];
  };
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requestsPerSec: Math.round(Number(field(/Requests\/sec:\s+([\d.]+)/))),
    latencyMs: { p50: wrkMs(field(/^\s+50%\s+(\S+)/m)), p99: wrkMs(field(/^\s+99%\s+(\S+)/m)), max: wrkMs(field(/Latency\s+\S+\s+\S+\s+(\S+)/)) },
    requests: Number(field(/(\d+) requests in/)),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0),
    errors: socketErrors ? socketErrors.slice(1).map(Number).reduce((a, b) => a + b, 0) : 0,
  };
}

function loadWithWrk(url: string, connections: number, seconds: number): LoadResult {
  return parseWrk(execFileSync('wrk', ['-t2', `-c${connections}`, `-d${seconds}s`, '--latency', url], { encoding: 'utf8' }));
}

const load = (url: string, connections: number, seconds: number): Promise<LoadResult> =>
  LOAD === 'wrk' ? Promise.resolve(loadWithWrk(url, connections, seconds)) : loadWithAutocannon(url, connections, seconds);

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
      await load(s.url, 8, 2); // warm-up (JIT, pool)
      results.push({ scenario: s.name, ...(await load(s.url, CONNECTIONS, SECONDS)) });
    }
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.send({ type: 'stop' });
    await exited;
    const latest = results[1]!;
    console.log(JSON.stringify({
      benchmark: 'rest', loadGenerator: LOAD, connections: CONNECTIONS, seconds: SECONDS, rowsInSyiIndex: records.length, storage: variant, loadAverage1m: +loadavg()[0]!.toFixed(2),
      target: { latestRequestsPerSec: 15_000, met: latest.requestsPerSec >= 15_000 }, results,
    }, null, 2));
  } finally {
    await database.drop();
  }
}

void main();
