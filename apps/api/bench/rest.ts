// REST benchmark: requests/s and latency of /api/index/latest and of the history queries, with a
// bare fastify route (same body) in the same run as the ceiling, then the constituent history and
// the yields at a fixed 1 000 requests/s. Prints one JSON document; each row says its target and
// whether it was met.
// Run: npx tsx apps/api/bench/rest.ts [seconds]
// The server takes ANSWER_FRESHNESS_MS and PG_POOL_SIZE (default 10) from the environment, as the app does.
// Load: wrk (Debian's package, C, two threads) when it is installed, else autocannon — autocannon
// runs on Node's single thread and saturates before the server does on a 2-core machine.
// LOAD=autocannon forces autocannon. Fixed-rate rows: wrk paced by a Lua script (each of its two
// threads sends on a schedule, a request every 2 ms for 1 000/s, not waiting for answers beyond the
// connections it has), or autocannon's overallRate. A constituent history body is 230 KB: autocannon
// could not read 1 000 of them a second on its one thread, wrk could read ten times as many.
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Pool } from 'pg';
import pino from 'pino';
import { signedChain, storeRecords } from '@stableyield/api-core/testing';
import { migrate } from '@stableyield/postgres';
import { createTestDatabase } from '@stableyield/postgres/testing';

const SECONDS = Number(process.argv[2] ?? 10);
const CONNECTIONS = 64;
const DAY = 86_400_000;

interface LoadResult {
  requestsPerSec: number;
  latencyMs: { p50: number; p99: number; max: number };
  requests: number;
  non2xx: number;
  errors: number;
}

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

async function loadWithAutocannon(
  url: string,
  connections: number,
  seconds: number,
  overallRate?: number,
): Promise<LoadResult> {
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
    latencyMs: {
      p50: wrkMs(field(/^\s+50%\s+(\S+)/m)),
      p99: wrkMs(field(/^\s+99%\s+(\S+)/m)),
      max: wrkMs(field(/Latency\s+\S+\s+\S+\s+(\S+)/)),
    },
    requests: Number(field(/(\d+) requests in/)),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0),
    errors: socketErrors
      ? socketErrors
          .slice(1)
          .map(Number)
          .reduce((a, b) => a + b, 0)
      : 0,
  };
}

const WRK_THREADS = 2;

/** A wrk script that sends each thread's requests on a fixed schedule (LuaJIT's FFI for a monotonic clock in ms). */
const pacedScript = (rate: number) => `local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } paced_timespec;
int clock_gettime(int clk_id, paced_timespec *tp);
]]
local ts = ffi.new("paced_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end
local interval = ${(WRK_THREADS * 1000) / rate}
local next_at = nil
function delay()
  local t = now_ms()
  if next_at == nil then next_at = t end
  next_at = next_at + interval
  if next_at < t then return 0 end
  return math.floor(next_at - t)
end
`;

function loadWithWrk(url: string, connections: number, seconds: number, rate?: number): LoadResult {
  const args = [`-t${WRK_THREADS}`, `-c${connections}`, `-d${seconds}s`, '--latency'];
  if (rate === undefined) return parseWrk(execFileSync('wrk', [...args, url], { encoding: 'utf8' }));
  const dir = mkdtempSync(join(tmpdir(), 'rest-bench-'));
  try {
    writeFileSync(join(dir, 'paced.lua'), pacedScript(rate));
    return parseWrk(execFileSync('wrk', [...args, '-s', join(dir, 'paced.lua'), url], { encoding: 'utf8' }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const load = (url: string, connections: number, seconds: number, rate?: number): Promise<LoadResult> =>
  LOAD === 'wrk'
    ? Promise.resolve(loadWithWrk(url, connections, seconds, rate))
    : loadWithAutocannon(url, connections, seconds, rate);

/** What a row must reach: requests/s (open loop at full speed), p99, and a share of `latest` in the same run. */
interface Target {
  minRequestsPerSec?: number;
  maxP99Ms?: number;
  minShareOfLatest?: number;
}

interface Scenario {
  name: string;
  url: string;
  rate?: number;
  target?: Target;
}

function judge(target: Target | undefined, result: LoadResult, latest: LoadResult | undefined) {
  if (!target) return undefined;
  const shareOfLatest = latest ? +(result.requestsPerSec / latest.requestsPerSec).toFixed(3) : undefined;
  const met =
    (target.minRequestsPerSec === undefined || result.requestsPerSec >= target.minRequestsPerSec) &&
    (target.maxP99Ms === undefined || result.latencyMs.p99 < target.maxP99Ms) &&
    (target.minShareOfLatest === undefined || (shareOfLatest ?? 0) >= target.minShareOfLatest) &&
    result.non2xx === 0 &&
    result.errors === 0;
  return { ...target, ...(target.minShareOfLatest !== undefined ? { shareOfLatest } : {}), met };
}

/** DefiLlama-like pool APYs: `pools` pools, one record per pool every hour for a week, the newest one hour old. */
function poolYields(pools: number, end: number) {
  const symbols = ['USDC', 'USDT', 'DAI', 'USDe', 'FDUSD', 'PYUSD'];
  const rows = [];
  for (let p = 0; p < pools; p++) {
    for (let h = 1; h <= 7 * 24; h++) {
      const apy = 2 + (p % 17) / 4 + Math.sin(h / 10) / 5;
      rows.push({
        pool: `pool-${p}`,
        project: `project-${p % 23}`,
        chain: p % 3 === 0 ? 'Ethereum' : 'Arbitrum',
        symbol: symbols[p % symbols.length]!,
        tvlUsd: 1e6 * (1 + ((p * 7919) % 1000)),
        apyBase: apy,
        apyReward: p % 4 === 0 ? 0.3 : null,
        apy: apy + (p % 4 === 0 ? 0.3 : 0),
        ts: end - h * 3_600_000,
      });
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
    for (let i = 0; i < records.length; i += 10_000)
      await storeRecords(pool, variant, 'syi.calculated', records.slice(i, i + 10_000));
    const yields = poolYields(300, end);
    for (let i = 0; i < yields.length; i += 10_000)
      await storeRecords(pool, variant, 'dl.apy', yields.slice(i, i + 10_000));
    // As sink-timescale does every AGGREGATE_REFRESH_MS: materialise the complete buckets (plain PostgreSQL).
    await pool.query('SELECT refresh_syi_index_aggregates()');
    await pool.query('ANALYZE');
    await pool.end();

    const server = fork(join(__dirname, 'rest-server.ts'), [database.url], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const { apiPort, barePort } = await new Promise<{ apiPort: number; barePort: number }>((resolve) =>
      server.once('message', resolve),
    );
    const from = end - DAY;
    const api = `http://127.0.0.1:${apiPort}/api`;
    const history = { minRequestsPerSec: 5_000, maxP99Ms: 100, minShareOfLatest: 0.25 };
    // At a fixed 1 000 requests/s: every request answered in time (what the generator reached, at least 95 % of it).
    const fixedRate = { minRequestsPerSec: 950, maxP99Ms: 100 };
    const scenarios: Scenario[] = [
      { name: 'bare fastify route (ceiling)', url: `http://127.0.0.1:${barePort}/bare` },
      { name: 'GET /api/index/latest', url: `${api}/index/latest`, target: { minRequestsPerSec: 15_000 } },
      {
        name: 'GET /api/index/history 5m over 24 h (288 points)',
        url: `${api}/index/history?interval=5m&from=${from}&to=${end}`,
        target: history,
      },
      {
        name: 'GET /api/index/history 1h over 7 d (168 points)',
        url: `${api}/index/history?interval=1h&from=${end - 7 * DAY}&to=${end}`,
        target: history,
      },
      // Without from/to: the range ends now, so every request asks for a range of its own.
      { name: 'GET /api/index/history 5m, default range (to = now)', url: `${api}/index/history?interval=5m` },
      {
        name: 'GET /api/index/constituents/USDC/history over 24 h (1 000 points) at 1 000 req/s',
        url: `${api}/index/constituents/USDC/history?from=${from}&to=${end}`,
        rate: 1_000,
        target: fixedRate,
      },
      {
        name: 'GET /api/index/constituents/USDC/history, default range (to = now) at 1 000 req/s',
        url: `${api}/index/constituents/USDC/history`,
        rate: 1_000,
        target: fixedRate,
      },
      { name: 'GET /api/yields (300 pools) at 1 000 req/s', url: `${api}/yields`, rate: 1_000, target: fixedRate },
    ];
    const measured: (LoadResult & { scenario: string; bodyBytes: number; target?: Target })[] = [];
    // BENCH_ONLY=regex: only the rows whose name matches (bare and latest always run: the ceiling and the reference).
    const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;
    for (const s of scenarios.filter((x, i) => i < 2 || !only || only.test(x.name))) {
      await load(s.url, 8, 2, s.rate === undefined ? undefined : Math.min(s.rate, 500)); // warm-up (JIT, pool)
      const bodyBytes = (await (await fetch(s.url)).arrayBuffer()).byteLength;
      measured.push({
        scenario: s.name,
        bodyBytes,
        ...(await load(s.url, CONNECTIONS, SECONDS, s.rate)),
        ...(s.rate ? { rate: s.rate } : {}),
        ...(s.target ? { target: s.target } : {}),
      });
    }
    const latestResult = measured[1];
    const results = measured.map(({ target, ...r }) => ({
      ...r,
      ...(target ? { target: judge(target, r, latestResult) } : {}),
    }));
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.send({ type: 'stop' });
    await exited;
    console.log(
      JSON.stringify(
        {
          benchmark: 'rest',
          loadGenerator: LOAD,
          answerFreshnessMs: Number(process.env.ANSWER_FRESHNESS_MS ?? 1_000),
          pgPoolSize: Number(process.env.PG_POOL_SIZE ?? 10),
          connections: CONNECTIONS,
          seconds: SECONDS,
          rowsInSyiIndex: records.length,
          rowsInDlApy: yields.length,
          storage: variant,
          loadAverage1m: { start: loadAtStart, end: +loadavg()[0]!.toFixed(2) },
          allTargetsMet: results.every((r) => r.target?.met !== false),
          results,
        },
        null,
        2,
      ),
    );
  } finally {
    await database.drop();
  }
}

void main();
