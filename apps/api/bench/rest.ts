// REST benchmark: requests/s and latency of /api/index/latest and of the history queries, with a
// bare fastify route (same body) in the same run as the ceiling, then the constituent history and
// the yields at a fixed 1 000 requests/s. Prints one JSON document; each row says its target and
// whether it was met.
// Run: npx tsx apps/api/bench/rest.ts [seconds]
// Load: wrk (Debian's package, C, two threads) when it is installed, else autocannon — autocannon
// runs on Node's single thread and saturates before the server does on a 2-core machine.
// LOAD=autocannon forces autocannon. The fixed-rate rows always use autocannon (overallRate): wrk
// has no rate option, and 1 000 requests/s is far below where autocannon saturates.
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

async function loadWithAutocannon(url: string, connections: number, seconds: number, overallRate?: number): Promise<LoadResult> {
  const r = await autocannon({ url, connections, duration: seconds, ...(overallRate ? { overallRate } : {}) });
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

const load = (url: string, connections: number, seconds: number, rate?: number): Promise<LoadResult> =>
  LOAD === 'wrk' && rate === undefined ? Promise.resolve(loadWithWrk(url, connections, seconds)) : loadWithAutocannon(url, connections, seconds, rate);

/** What a row must reach: requests/s (open loop at full speed), p99, and a share of `latest` in the same run. */
interface Target { minRequestsPerSec?: number; maxP99Ms?: number; minShareOfLatest?: number }

interface Scenario { name: string; url: string; rate?: number; target?: Target }

function judge(target: Target | undefined, result: LoadResult, latest: LoadResult | undefined) {
  if (!target) return undefined;
  const shareOfLatest = latest ? +(result.requestsPerSec / latest.requestsPerSec).toFixed(3) : undefined;
  const met = (target.minRequestsPerSec === undefined || result.requestsPerSec >= target.minRequestsPerSec)
    && (target.maxP99Ms === undefined || result.latencyMs.p99 < target.maxP99Ms)
    && (target.minShareOfLatest === undefined || (shareOfLatest ?? 0) >= target.minShareOfLatest)
    && result.non2xx === 0 && result.errors === 0;
  return { ...target, ...(target.minShareOfLatest !== undefined ? { shareOfLatest } : {}), met };
}

/** DefiLlama-like pool APYs: `pools` pools, one record per pool every hour for a week, the newest one hour old. */
function poolYields(pools: number, end: number) {
  const symbols = ['USDC', 'USDT', 'DAI', 'USDe', 'FDUSD', 'PYUSD'];
  const rows = [];
  for (let p = 0; p < pools; p++) {
    for (let h = 1; h <= 7 * 24; h++) {
      const apy = 2 + (p % 17) / 4 + Math.sin(h / 10) / 5;
      rows.push({ pool: `pool-${p}`, project: `project-${p % 23}`, chain: p % 3 === 0 ? 'Ethereum' : 'Arbitrum', symbol: symbols[p % symbols.length]!, tvlUsd: 1e6 * (1 + (p * 7919) % 1000), apyBase: apy, apyReward: p % 4 === 0 ? 0.3 : null, apy: apy + (p % 4 === 0 ? 0.3 : 0), ts: end - h * 3_600_000 });
    }
  }
  return rows;
}

async function main(): Promise<void> {
  const loadAtStart = +loadavg()[0]!.toFixed(2);
  const database = await createTestDatabase('apibench');
  try {
    const pool = new Pool({ connectionString: database.url });
    const { variant } = await migrate(pool, pino({ level: 'warn' }));
    // Seven days of records every 10 s (60 480 rows), the last one ending now.
    const end = Date.now() - (Date.now() % 10_000);
    const records = signedChain(7 * 8_640, end - 7 * DAY, { stepMs: 10_000, value: (i) => 4 + Math.sin(i / 500) });
    for (let i = 0; i < records.length; i += 10_000) await storeRecords(pool, variant, 'syi.calculated', records.slice(i, i + 10_000));
    const yields = poolYields(300, end);
    for (let i = 0; i < yields.length; i += 10_000) await storeRecords(pool, variant, 'dl.apy', yields.slice(i, i + 10_000));
    // As sink-timescale does every AGGREGATE_REFRESH_MS: materialise the complete buckets (plain PostgreSQL).
    await pool.query('SELECT refresh_syi_index_aggregates()');
    await pool.query('ANALYZE');
    await pool.end();

    const server = fork(join(__dirname, 'rest-server.ts'), [database.url], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const { apiPort, barePort } = await new Promise<{ apiPort: number; barePort: number }>((resolve) => server.once('message', resolve));
    const from = end - DAY;
    const api = `http://127.0.0.1:${apiPort}/api`;
    const history = { minRequestsPerSec: 5_000, maxP99Ms: 100, minShareOfLatest: 0.25 };
    // At a fixed 1 000 requests/s: every request answered in time (what the generator reached, at least 95 % of it).
    const fixedRate = { minRequestsPerSec: 950, maxP99Ms: 100 };
    const scenarios: Scenario[] = [
      { name: 'bare fastify route (ceiling)', url: `http://127.0.0.1:${barePort}/bare` },
      { name: 'GET /api/index/latest', url: `${api}/index/latest`, target: { minRequestsPerSec: 15_000 } },
      { name: 'GET /api/index/history 5m over 24 h (288 points)', url: `${api}/index/history?interval=5m&from=${from}&to=${end}`, target: history },
      { name: 'GET /api/index/history 1h over 7 d (168 points)', url: `${api}/index/history?interval=1h&from=${end - 7 * DAY}&to=${end}`, target: history },
      // Without from/to: the range ends now, so every request asks for a range of its own.
      { name: 'GET /api/index/history 5m, default range (to = now)', url: `${api}/index/history?interval=5m` },
      { name: 'GET /api/index/constituents/USDC/history over 24 h (1 000 points) at 1 000 req/s', url: `${api}/index/constituents/USDC/history?from=${from}&to=${end}`, rate: 1_000, target: fixedRate },
      { name: 'GET /api/index/constituents/USDC/history, default range (to = now) at 1 000 req/s', url: `${api}/index/constituents/USDC/history`, rate: 1_000, target: fixedRate },
      { name: 'GET /api/yields (300 pools) at 1 000 req/s', url: `${api}/yields`, rate: 1_000, target: fixedRate },
    ];
    const measured: (LoadResult & { scenario: string; target?: Target })[] = [];
    for (const s of scenarios) {
      await load(s.url, 8, 2, s.rate === undefined ? undefined : Math.min(s.rate, 500)); // warm-up (JIT, pool)
      measured.push({ scenario: s.name, ...(await load(s.url, CONNECTIONS, SECONDS, s.rate)), ...(s.rate ? { rate: s.rate } : {}), ...(s.target ? { target: s.target } : {}) });
    }
    const latestResult = measured[1];
    const results = measured.map(({ target, ...r }) => ({ ...r, ...(target ? { target: judge(target, r, latestResult) } : {}) }));
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.send({ type: 'stop' });
    await exited;
    console.log(JSON.stringify({
      benchmark: 'rest', loadGenerator: LOAD, connections: CONNECTIONS, seconds: SECONDS, rowsInSyiIndex: records.length, rowsInDlApy: yields.length, storage: variant,
      loadAverage1m: { start: loadAtStart, end: +loadavg()[0]!.toFixed(2) }, allTargetsMet: results.every((r) => r.target?.met !== false), results,
    }, null, 2));
  } finally {
    await database.drop();
  }
}

void main();
