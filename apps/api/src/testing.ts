/**
 * The serving stack of the integration tests: a fresh database with libs/postgres's migrations,
 * a test copy of `syi.calculated`, and the api and ws-gateway apps as real processes.
 * Test code only.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Pool } from 'pg';
import pino from 'pino';
import { createTopic, deleteTopic, freePort, SyiPublisher } from '@stableyield/api-core/testing';
import { migrate, type StorageVariant } from '@stableyield/postgres';
import { createTestDatabase } from '@stableyield/postgres/testing';
import {
  repoRoot,
  servingAppEnv,
  spawnApp,
  stopApp,
  uniquePrefix,
  type SinkProcess,
} from '@stableyield/sink-model/testing';
import { provisionAll, testStack, waitFor, type TestStack } from '@stableyield/kafka/testing';

export interface ServingStack {
  stack: TestStack;
  pool: Pool;
  variant: StorageVariant;
  databaseUrl: string;
  publisher: SyiPublisher;
  api: SinkProcess;
  gateway: SinkProcess;
  apiUrl: string;
  apiHealthUrl: string;
  streamUrl: string;
  gatewayHealthUrl: string;
  stop(): Promise<void>;
}

async function waitReady(url: string, p: SinkProcess): Promise<void> {
  await waitFor(
    `${url} to be ready`,
    async () => {
      if (p.child.exitCode !== null)
        throw new Error(`process exited (${p.child.exitCode}):\n${p.output().slice(-3000)}`);
      return fetch(url).then(
        (r) => r.ok,
        () => false,
      );
    },
    60_000,
    100,
  );
}

export async function startServing(env: Record<string, string> = {}): Promise<ServingStack> {
  const stack = testStack();
  await provisionAll(stack);
  const database = await createTestDatabase('api');
  const pool = new Pool({ connectionString: database.url, max: 4 });
  pool.on('error', () => undefined); // an idle client dropped by a database restart (other tests restart it)
  const { variant } = await migrate(pool, pino({ level: 'warn' }));
  const prefix = uniquePrefix('api');
  const topic = `${prefix}syi.calculated`;
  await createTopic(stack, topic);
  const publisher = await SyiPublisher.create(stack, topic);
  const [apiPort, apiHealth, wsPort, wsHealth] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const common = servingAppEnv(stack, database.url, prefix);
  const streamUrl = `ws://127.0.0.1:${wsPort}/stream/syi/live`;
  const api = spawnApp('api', {
    ...common,
    PORT: String(apiPort),
    HEALTH_PORT: String(apiHealth),
    TICKER_STREAM_URL: streamUrl,
    ...env,
  });
  const gateway = spawnApp('ws-gateway', { ...common, PORT: String(wsPort), HEALTH_PORT: String(wsHealth), ...env });
  const serving: ServingStack = {
    stack,
    pool,
    variant,
    databaseUrl: database.url,
    publisher,
    api,
    gateway,
    streamUrl,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    apiHealthUrl: `http://127.0.0.1:${apiHealth}`,
    gatewayHealthUrl: `http://127.0.0.1:${wsHealth}`,
    stop: async () => {
      await Promise.all([stopApp(api), stopApp(gateway)]);
      await publisher.close();
      await pool.end();
      await database.drop();
      await deleteTopic(stack, topic);
    },
  };
  await waitReady(`${serving.apiHealthUrl}/ready`, api);
  await waitReady(`${serving.gatewayHealthUrl}/ready`, gateway);
  return serving;
}

/** Runs the API-key command (`npm run api-keys`) against a database; returns its stdout lines as JSON. */
export async function apiKeys(databaseUrl: string, ...args: string[]): Promise<Record<string, unknown>[]> {
  const root = repoRoot();
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.endsWith('_FILE')));
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'apps/api/src/keys-cli.ts'), ...args], {
    cwd: root,
    env: { ...env, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`api-keys ${args.join(' ')} exited ${code}: ${err}`);
  return out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
