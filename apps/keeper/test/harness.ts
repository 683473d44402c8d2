// Integration-test harness: a private anvil with MockPyth (libs/chain testing), the real broker and
// registry, a per-test input topic with the pyth.updates schema, records encoded like the simulator's
// (MockPyth blobs, libs/chain testing), and the keeper either in-process (createKeeperApp) or as a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pythAbi, type FeedId } from '@stableyield/chain';
import {
  anvilTestAccount,
  deployTestMockPyth,
  freePort,
  mockPythUpdateRecord,
  startAnvil,
  type TestAnvil,
} from '@stableyield/chain/testing';
import {
  connectTestProducer,
  provisionTestTopics,
  testStack,
  uniqueGroup,
  waitFor,
  type TestStack,
} from '@stableyield/kafka/testing';
import {
  createLogger,
  createMetricsRegistry,
  ProgressMonitor,
  Readiness,
  startHealthServer,
  type HealthServer,
} from '@stableyield/observability';
import { type PythUpdate } from '@stableyield/schemas';
import { toHex, type Address, type Hex } from 'viem';
import { loadAppConfig } from '../src/config';
import { createKeeperApp, type KeeperApp, type KeeperStatusBody } from '../src/keeper';

export { waitFor };

const SOLC_CACHE = join(process.env['STACK_CACHE'] ?? join(homedir(), '.cache', 'stableyield'), 'solc');
const ROOT = resolve(__dirname, '../../..');

export const FEEDS = {
  usdc: { alias: 'USDC/USD', id: 'eaa020c61cc479712813461ce153894a96a6c00b21ed0cfc2798d1f9a9e9c94a' },
  usdt: { alias: 'USDT/USD', id: '2b89b9dc8fdf9f34709a5b106b472f0f39bb6ca9ce04b0fd7f2e971688e2e53b' },
  dai: { alias: 'DAI/USD', id: 'b0948a5e5313200c632b51bb5ca32f6de0d36e9950a942d19751e833f70dabfd' },
} as const;
export type FeedName = keyof typeof FEEDS;

export const nowS = (): number => Math.floor(Date.now() / 1000);

export interface Quote {
  feed: FeedName;
  price: bigint;
  publishTime: number;
  conf?: bigint;
}

/** A pyth.updates record as ingest-hermes writes it from the simulator's Hermes (one blob per feed). */
export function pythRecord(quotes: Quote[]): PythUpdate {
  const prices = quotes.map(({ feed, ...q }) => ({ ...q, id: FEEDS[feed].id, symbol: feed.toUpperCase() }));
  return mockPythUpdateRecord(prices);
}

/** The keeper's price config for the test feeds: 1 % deviation, 60 s heartbeat unless overridden. */
export function priceConfigYaml(
  over: Partial<Record<'time_difference' | 'price_deviation', number>> = {},
  feeds: FeedName[] = ['usdc', 'usdt', 'dai'],
): string {
  const extra = Object.entries(over)
    .map(([k, v]) => `, ${k}: ${v}`)
    .join('');
  return feeds.map((f) => `- { alias: ${FEEDS[f].alias}, id: ${FEEDS[f].id}${extra} }`).join('\n');
}

/** `yaml` written to prices.yaml in a fresh temporary directory named after `dirPrefix`; the file's path. */
export function priceConfigFile(yaml: string, dirPrefix: string): string {
  const file = join(mkdtempSync(join(tmpdir(), dirPrefix)), 'prices.yaml');
  writeFileSync(file, yaml);
  return file;
}

export interface Env {
  stack: TestStack;
  anvil: TestAnvil;
  contract: Address;
  topic: string;
  /** Anvil test account 1 (account 0 deployed MockPyth): derived from the public test mnemonic at runtime. */
  keeperKey: Hex;
  keeperAddress: Address;
  produce(quotes: Quote[]): Promise<void>;
  onchain(feed: FeedName): Promise<{ price: bigint; publishTime: number } | undefined>;
  /** PriceFeedUpdate events emitted so far, per feed id (lower-case, 0x). */
  updateEvents(): Promise<{ id: string; publishTime: number; price: bigint; txHash: Hex }[]>;
  baseEnv(extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

export async function startEnv(anvilArgs: string[] = []): Promise<Env> {
  const stack = testStack();
  const anvil = await startAnvil(anvilArgs);
  const contract = await deployTestMockPyth(anvil, SOLC_CACHE);
  const prefix = `test-keeper-${randomUUID().slice(0, 8)}.`;
  const topic = `${prefix}pyth.updates`;
  await provisionTestTopics(stack, prefix, ['pyth.updates', 'pyth.updates.dlq']);
  const producer = await connectTestProducer(stack);
  const account = anvilTestAccount(1);
  const keeperKey = toHex(account.getHdKey().privateKey!);
  const stateDir = mkdtempSync(join(tmpdir(), 'keeper-it-'));
  return {
    stack,
    anvil,
    contract,
    topic,
    keeperKey,
    keeperAddress: account.address,
    produce: (quotes) => producer.send(topic as 'pyth.updates', [{ key: 'hermes', value: pythRecord(quotes) }]),
    async onchain(feed) {
      try {
        const p = await anvil.client.readContract({
          address: contract,
          abi: pythAbi,
          functionName: 'getPriceUnsafe',
          args: [`0x${FEEDS[feed].id}`],
        });
        return { price: p.price, publishTime: Number(p.publishTime) };
      } catch {
        return undefined;
      }
    },
    async updateEvents() {
      const logs = await anvil.client.getContractEvents({
        address: contract,
        abi: pythAbi,
        eventName: 'PriceFeedUpdate',
        fromBlock: 0n,
      });
      return logs.map((l) => ({
        id: String(l.args.id).toLowerCase(),
        publishTime: Number(l.args.publishTime),
        price: l.args.price ?? 0n,
        txHash: l.transactionHash,
      }));
    },
    baseEnv: (extra = {}) => ({
      PRIVATE_KEY: keeperKey,
      RPC_URL: `${anvil.wsUrl},${anvil.httpUrl}`,
      CONTRACT_ADDRESS: contract,
      KAFKA_BROKERS: stack.brokers.join(','),
      SCHEMA_REGISTRY_URL: stack.registryUrl,
      KEEPER_INPUT_TOPIC: topic,
      KEEPER_GROUP_ID: uniqueGroup('keeper'),
      KEEPER_STATE_FILE: join(stateDir, 'in-flight.json'),
      KEEPER_SESSION_TIMEOUT_MS: '6000',
      RECEIPT_POLL_MS: '50',
      ONCHAIN_REFRESH_MS: '500',
      MAX_STALENESS: '3600',
      // The tests replay prices minutes old on purpose; the production bound (60 s) would drop them.
      MAX_SOURCE_AGE_S: '86400',
      EARLY_UPDATES: 'false',
      LOG_LEVEL: 'silent',
      ...extra,
    }),
    async close() {
      await producer.disconnect();
      await anvil.stop();
    },
  };
}

export interface InProcessKeeper {
  app: KeeperApp;
  url: string;
  metrics(): Promise<string>;
  status(): Promise<KeeperStatusBody>;
  stop(): Promise<void>;
}

/** The keeper's wiring in this process (same factory as main.ts), with its HTTP endpoints on a free port. */
export async function startKeeper(
  env: Env,
  extra: Record<string, string> = {},
  priceConfig = priceConfigYaml({ price_deviation: 1, time_difference: 3600 }),
): Promise<InProcessKeeper> {
  const dir = mkdtempSync(join(tmpdir(), 'keeper-cfg-'));
  const cfgFile = join(dir, 'prices.yaml');
  writeFileSync(cfgFile, priceConfig);
  const config = loadAppConfig(env.baseEnv({ PRICE_CONFIG_FILE: cfgFile, ...extra }));
  const registry = createMetricsRegistry('keeper-test', { defaultMetrics: false });
  const progress = new ProgressMonitor(Date.now, registry);
  const app = createKeeperApp(config, createLogger({ app: 'keeper-test', level: config.LOG_LEVEL }), {
    kafka: env.stack.kafka,
    serde: env.stack.serde,
    registry,
    progress,
  });
  const server: HealthServer = await startHealthServer({
    host: '127.0.0.1',
    port: 0,
    registry,
    progress,
    readiness: new Readiness(),
    routes: app.routes,
  });
  await app.start();
  const url = `http://127.0.0.1:${server.port}`;
  await waitFor('keeper active', () => app.isActive(), 30_000);
  return {
    app,
    url,
    metrics: async () => (await fetch(`${url}/metrics`)).text(),
    // /status is rate limited (429); tests that poll it wait for a token rather than fail on one.
    async status() {
      for (;;) {
        const res = await fetch(`${url}/status`);
        if (res.status !== 429) return (await res.json()) as KeeperStatusBody;
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async stop() {
      await app.stop();
      await server.close();
    },
  };
}

export interface KeeperProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  exited: Promise<number | null>;
  status(): Promise<KeeperStatusBody | undefined>;
}

/**
 * The real main.ts in a child process (signals, restarts, two replicas). `wrapper` runs it under
 * another command, e.g. ['faketime', '-f', '+60s'] for a skewed host clock.
 */
export async function spawnKeeper(env: Record<string, string>, wrapper: string[] = []): Promise<KeeperProcess> {
  const port = await freePort();
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.endsWith('_FILE') && k !== 'PRIVATE_KEY'),
  );
  const node = [process.execPath, '--import', 'tsx', join(ROOT, 'apps', 'keeper', 'src', 'main.ts')];
  const [command, ...args] = [...wrapper, ...node] as [string, ...string[]];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...inherited, LOG_LEVEL: 'info', METRICS_PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  return {
    child,
    url,
    output: () => out,
    exited,
    async status() {
      try {
        const res = await fetch(`${url}/status`);
        return res.ok ? ((await res.json()) as KeeperStatusBody) : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

/** Runs a test body; when it fails, prints the tail of each keeper's log first (CI keeps little else). */
export async function explainFailure<T>(procs: readonly KeeperProcess[], body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    for (const [i, p] of procs.entries())
      console.error(
        `--- keeper process ${i + 1}, last 60 log lines ---\n${p.output().split('\n').slice(-60).join('\n')}`,
      );
    throw err;
  }
}

export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let found: number | undefined;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (.+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const l = m[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`))) found = (found ?? 0) + Number(m[3]);
  }
  return found;
}

export const feedId = (f: FeedName): FeedId => `0x${FEEDS[f].id}`;
