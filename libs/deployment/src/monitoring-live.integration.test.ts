/**
 * The metrics contract against running apps (docs/metrics.md): every app of apps/ started as a
 * child process (its real main.ts) against the local stack, on free ports and a unique topic
 * prefix, then
 *   1. every metric name an alert rule or dashboard of monitoring/ uses is exposed by the union
 *      of their /metrics (HELP/TYPE lines count: a registered metric without samples is fine);
 *   2. the stack's Prometheus (scripts/stack/components/prometheus.sh, file-based discovery of
 *      $STACK_DIR/prometheus/targets/*.json) scrapes every one of them with health "up": the
 *      test drops a file of its own into the folder that Prometheus reports in its loaded
 *      configuration, and removes it afterwards.
 * Bounded to about 3 minutes; every child process is stopped in afterAll.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  anvilTestAccount,
  deployTestMockPyth,
  deployTestSyiFeed,
  freePort,
  startAnvil,
  type TestAnvil,
} from '@stableyield/chain/testing';
import { createTestDatabase } from '@stableyield/postgres/testing';
import { prefixedSpecs, provisionTopics } from '@stableyield/kafka';
import { provisionAll, testStack, uniqueGroup } from '@stableyield/kafka/testing';
import { toHex } from 'viem';
import { APPS } from './catalog';
import { exposedMetricNames, fileSdDirectory, missingMetrics, usedMetrics } from './metrics-contract';
import { REPO_ROOT, repoPath } from './paths';
import { simulatedMarketUpstreams } from '@stableyield/market-model';

const BUDGET_MS = 175_000;
const started = Date.now();
const remaining = (): number => BUDGET_MS - (Date.now() - started);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const RUN = randomUUID().slice(0, 8);
const PREFIX = `mc${RUN}.`;
const PROMETHEUS_URL = process.env.PROMETHEUS_URL ?? 'http://127.0.0.1:9091';
const CLICKHOUSE_URL = process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123';
const TARGETS_FILE_NAME = `metrics-contract-${RUN}.json`;
const CH_DATABASE = `metrics_contract_${RUN}`;
const SOLC_CACHE = join(process.env.STACK_CACHE ?? join(homedir(), '.cache', 'stableyield'), 'solc');

/** The apps of the catalog (every deployable, market-sim included) whose main.ts exists. */
const APP_NAMES = APPS.map((a) => a.name).filter((a) => existsSync(repoPath('apps', a, 'src', 'main.ts')));

interface RunningApp {
  readonly name: string;
  readonly healthPort: number;
  readonly child: ChildProcess;
  output: string;
}

const stack = testStack();
const apps: RunningApp[] = [];
let anvil: TestAnvil | undefined;
let db: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
let stateDir: string | undefined;
let targetsFile: string | undefined;

/** Where the running Prometheus looks for target files (it may come from another checkout's stack). */
async function prometheusTargetsDir(): Promise<string> {
  const res = await fetch(`${PROMETHEUS_URL}/api/v1/status/config`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`Prometheus ${PROMETHEUS_URL}: /api/v1/status/config answered ${res.status}`);
  const dir = fileSdDirectory(((await res.json()) as { data: { yaml: string } }).data.yaml);
  if (dir === undefined)
    throw new Error(
      `Prometheus ${PROMETHEUS_URL} discovers no targets from files ` +
        `(scripts/stack/prometheus/prometheus.local.yml does)`,
    );
  return dir;
}

/** Distinct free ports (freePort may hand back one it gave before once that was released). */
async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

/** Each app's variables besides the shared ones: ports, prefix, groups, private databases. */
function appEnv(
  name: string,
  ports: { health: number; main: number; dead: number },
  keeper: Record<string, string>,
): Record<string, string> {
  // A port nobody listens on: the ingesters read no upstream and write nothing (and what they
  // could write would go to this run's prefixed topics).
  const nowhere = `http://127.0.0.1:${ports.dead}`;
  const health = String(ports.health);
  const own = { HEALTH_PORT: health, TOPIC_PREFIX: PREFIX };
  const server = { ...own, PORT: String(ports.main), HOST: '127.0.0.1', PROVISION_TOPICS: 'false' };
  switch (name) {
    case 'market-sim':
      return { MARKET_SIM_HOST: '127.0.0.1', MARKET_SIM_PORT: String(ports.main), MARKET_SIM_HEALTH_PORT: health };
    case 'ingest-hermes':
      return { ...own, HERMES_URL: `${nowhere}/hermes` };
    case 'ingest-market':
      return {
        ...own,
        ...simulatedMarketUpstreams(nowhere),
        HTTP_RETRIES: '0',
      };
    case 'keeper':
      return { METRICS_PORT: health, ...keeper };
    case 'sink-timescale':
      return { ...own, SINK_GROUP_ID: uniqueGroup('mc-sink-ts'), DATABASE_URL: db!.url };
    case 'sink-clickhouse':
      return { ...own, SINK_GROUP_ID: uniqueGroup('mc-sink-ch'), CLICKHOUSE_URL, CLICKHOUSE_DATABASE: CH_DATABASE };
    case 'api':
      return { ...server, DATABASE_URL: db!.url };
    case 'ws-gateway':
      return server;
    default: // the processors and the auditor
      return own;
  }
}

function spawnApp(name: string, env: Record<string, string>, healthPort: number): RunningApp {
  // Never hand a child the test runner's secrets or *_FILE indirections.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.endsWith('_FILE') && k !== 'PRIVATE_KEY'),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', repoPath('apps', name, 'src', 'main.ts')], {
    cwd: REPO_ROOT,
    env: {
      ...inherited,
      LOG_LEVEL: 'warn',
      HEALTH_HOST: '127.0.0.1',
      SHUTDOWN_TIMEOUT_MS: '5000',
      KAFKA_BROKERS: stack.brokers.join(','),
      SCHEMA_REGISTRY_URL: stack.registryUrl,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const app: RunningApp = { name, healthPort, child, output: '' };
  const keep = (d: Buffer) => {
    app.output = (app.output + d.toString()).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return app;
}

async function scrape(app: RunningApp): Promise<string | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${app.healthPort}/metrics`, { signal: AbortSignal.timeout(3_000) });
    return res.ok ? await res.text() : undefined;
  } catch {
    return undefined;
  }
}

async function stopAll(): Promise<void> {
  const alive = (a: RunningApp) => a.child.exitCode === null && a.child.signalCode === null;
  const exits = apps.filter(alive).map(
    (a) =>
      new Promise<void>((resolve) => {
        a.child.once('exit', () => resolve());
        a.child.kill('SIGTERM');
      }),
  );
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(exits),
    new Promise<void>((r) => {
      timer = setTimeout(r, 8_000);
    }),
  ]);
  clearTimeout(timer);
  for (const a of apps.filter(alive)) a.child.kill('SIGKILL');
}

beforeAll(async () => {
  // Catalog topics and schemas, then this run's prefixed copies the consumers read.
  await provisionAll(stack);
  await provisionTopics(stack.kafka, stack.logger, { replicationFactor: 1, topics: prefixedSpecs(PREFIX) });
  db = await createTestDatabase('metrics_contract');
  stateDir = mkdtempSync(join(tmpdir(), 'metrics-contract-'));

  // The keeper writes on-chain: a private anvil with MockPyth, and an input topic of its own
  // that stays empty, so it exports its metrics without sending a transaction.
  let keeper: Record<string, string> = {};
  if (APP_NAMES.includes('keeper')) {
    anvil = await startAnvil();
    const contract = await deployTestMockPyth(anvil, SOLC_CACHE);
    keeper = {
      PRIVATE_KEY: toHex(anvilTestAccount(1).getHdKey().privateKey!),
      RPC_URL: `${anvil.wsUrl},${anvil.httpUrl}`,
      CONTRACT_ADDRESS: contract,
      KEEPER_INPUT_TOPIC: `${PREFIX}pyth.updates`,
      KEEPER_GROUP_ID: uniqueGroup('mc-keeper'),
      KEEPER_STATE_FILE: join(stateDir, 'keeper-in-flight.json'),
      // The SYI duty's metrics too (its input topic stays empty as well).
      SYI_FEED_ADDRESS: await deployTestSyiFeed(anvil, anvilTestAccount(1).address, SOLC_CACHE),
      SYI_INPUT_TOPIC: `${PREFIX}syi.calculated`,
    };
  }

  const ports = await freePorts(APP_NAMES.length * 2 + 1);
  const dead = ports.pop()!;
  APP_NAMES.forEach((name, i) => {
    const health = ports[2 * i]!;
    apps.push(spawnApp(name, appEnv(name, { health, main: ports[2 * i + 1]!, dead }, keeper), health));
  });

  // Each health port answers /metrics (or the app died: fail with its output).
  const deadline = Date.now() + Math.min(110_000, remaining() - 60_000);
  let pending = [...apps];
  while (pending.length > 0) {
    const crashed = pending.find((a) => a.child.exitCode !== null || a.child.signalCode !== null);
    if (crashed)
      throw new Error(
        `${crashed.name} exited (${String(crashed.child.exitCode ?? crashed.child.signalCode)}) ` +
          `before serving /metrics:\n${crashed.output}`,
      );
    const answered = await Promise.all(pending.map(async (a) => (await scrape(a)) !== undefined));
    pending = pending.filter((_, i) => !answered[i]);
    if (pending.length === 0) break;
    if (Date.now() > deadline) {
      throw new Error(
        `no /metrics answer from ${pending.map((a) => `${a.name} (:${a.healthPort})\n${a.output}`).join('\n')}`,
      );
    }
    await sleep(1_000);
  }

  // Point the stack's Prometheus at them now, so its discovery runs while the first test does.
  // Written under another name and renamed: Prometheus never reads a half-written file.
  const dir = await prometheusTargetsDir();
  mkdirSync(dir, { recursive: true });
  targetsFile = join(dir, TARGETS_FILE_NAME);
  const targets = apps.map((a) => ({
    targets: [`127.0.0.1:${a.healthPort}`],
    labels: { app: a.name, metrics_contract_run: RUN },
  }));
  writeFileSync(`${targetsFile}.tmp`, JSON.stringify(targets, null, 2));
  renameSync(`${targetsFile}.tmp`, targetsFile);
}, 150_000);

afterAll(async () => {
  if (targetsFile !== undefined) {
    rmSync(targetsFile, { force: true });
    rmSync(`${targetsFile}.tmp`, { force: true });
  }
  await stopAll();
  await anvil?.stop();
  await db?.drop().catch(() => undefined);
  await fetch(`${CLICKHOUSE_URL}/?query=${encodeURIComponent(`DROP DATABASE IF EXISTS ${CH_DATABASE}`)}`, {
    method: 'POST',
  }).catch(() => undefined);
  const admin = stack.kafka.admin();
  try {
    await admin.connect();
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(PREFIX));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine });
  } catch {
    // best effort: leftover prefixed topics harm no other run
  } finally {
    await admin.disconnect();
  }
  if (stateDir !== undefined) rmSync(stateDir, { recursive: true, force: true });
}, 40_000);

describe('monitoring/ against the running apps', () => {
  it('every metric a rule or dashboard uses is exposed by a running app', async () => {
    const used = usedMetrics(repoPath('monitoring'));
    // Some metrics register once the app's loop has started (the processors after their lease):
    // scrape until nothing is missing or the time is up.
    const deadline = Date.now() + Math.max(5_000, Math.min(40_000, remaining() - 45_000));
    let texts: (string | undefined)[];
    let missing: ReturnType<typeof missingMetrics>;
    for (;;) {
      texts = await Promise.all(apps.map(scrape));
      const exposed = new Set(texts.flatMap((t) => [...exposedMetricNames(t ?? '')]));
      missing = missingMetrics(used, exposed);
      if (missing.length === 0 || Date.now() > deadline) break;
      await sleep(2_000);
    }
    if (missing.length > 0) {
      console.error(
        `metrics used by monitoring/ that no running app exposes (apps: ${APP_NAMES.join(', ')}):\n` +
          missing.map((m) => `  ${m.name}  ← ${m.usedIn.join('; ')}`).join('\n'),
      );
    }
    // Each scrape came from the app itself (its registry's default label), not a stranger on the port.
    expect(apps.map((a, i) => ({ app: a.name, ours: texts[i]?.includes(`app="${a.name}"`) ?? false }))).toEqual(
      apps.map((a) => ({ app: a.name, ours: true })),
    );
    expect(missing.map((m) => m.name)).toEqual([]);
    expect(used.used.size).toBeGreaterThan(30);
  }, 60_000);

  it("the stack's Prometheus scrapes every app with health up", async () => {
    interface Target {
      labels: Record<string, string>;
      health: string;
      lastError: string;
      scrapeUrl: string;
    }
    const deadline = Date.now() + Math.max(5_000, Math.min(45_000, remaining() - 5_000));
    let mine: Target[];
    for (;;) {
      const res = await fetch(`${PROMETHEUS_URL}/api/v1/targets?state=active`, { signal: AbortSignal.timeout(5_000) });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { status: string; data: { activeTargets: Target[] } };
      mine = body.data.activeTargets.filter((t) => t.labels.metrics_contract_run === RUN);
      if ((mine.length === apps.length && mine.every((t) => t.health === 'up')) || Date.now() > deadline) break;
      await sleep(2_000);
    }
    const seen = mine
      .map((t) => ({ app: t.labels.app, health: t.health, error: t.lastError }))
      .sort((a, b) => String(a.app).localeCompare(String(b.app)));
    if (seen.length !== apps.length || seen.some((t) => t.health !== 'up')) {
      const listed = seen.map((t) => `  ${String(t.app)}: ${t.health} ${t.error}`).join('\n') || '  (none discovered)';
      console.error(`Prometheus ${PROMETHEUS_URL} targets of ${String(targetsFile)}:\n${listed}`);
    }
    expect(seen).toEqual(
      APP_NAMES.map((app) => ({ app, health: 'up', error: '' })).sort((a, b) => a.app.localeCompare(b.app)),
    );
  }, 60_000);
});
