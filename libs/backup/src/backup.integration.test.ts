/**
 * Backup and restore of a running system's databases, through the commands operators run
 * (`npm run backup` / `npm run restore`: cli.ts as a child process):
 *   1. a TimescaleDB database migrated and written as sink-timescale writes (index records with
 *      their constituents) and a ClickHouse database with the sink's schema and rows;
 *   2. the api (its real main.ts) serves /api/index/history and constituent history from it;
 *   3. backup, restore into empty databases, a second api on the restored database;
 *   4. the answers are byte-identical, every ClickHouse table holds the same rows and its views
 *      answer the same; a restore into a non-empty database and of a damaged backup are refused.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import pino from 'pino';
import { createTopic, deleteTopic, freePort, signedChain, storeRecords } from '@stableyield/api-core/testing';
import { ensureSchema } from '@stableyield/clickhouse';
import { migrate } from '@stableyield/postgres';
import { createTestDatabase } from '@stableyield/postgres/testing';
import { repoRoot, servingAppEnv, uniquePrefix } from '@stableyield/sink-model/testing';
import { spawnApp, stopApp, testStack, waitFor, type AppProcess } from '@stableyield/kafka/testing';
import { runCommand } from './postgres';

const CLICKHOUSE_URL = process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123';
const RUN = Math.random().toString(36).slice(2, 10);
const CH_SOURCE = `backup_src_${RUN}`;
const CH_TARGET = `backup_dst_${RUN}`;
const T0 = Date.UTC(2031, 2, 1);
const HOUR = 3_600_000;

const stack = testStack();
const topicPrefix = uniquePrefix('backup');
type Db = Awaited<ReturnType<typeof createTestDatabase>>;
let source: Db;
let target: Db;
let dir: string;
const apps: AppProcess[] = [];

async function ch(query: string, body?: string): Promise<string> {
  const res = await fetch(`${CLICKHOUSE_URL}/?query=${encodeURIComponent(query)}`, {
    method: 'POST',
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`ClickHouse ${res.status}: ${text}`);
  return text;
}

/** A JSON value ClickHouse accepts for a column of this type (the sink's types). */
function sample(type: string, i: number): unknown {
  const inner = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(type)?.[1];
  if (inner !== undefined) return sample(inner, i);
  if (type.startsWith('Array(')) return [];
  if (type.startsWith('DateTime')) return `2031-03-01 00:${String(i).padStart(2, '0')}:00`;
  if (type === 'Date') return '2031-03-01';
  if (/^U?Int\d+$/.test(type)) return i + 1;
  if (/^(Float\d+|Decimal)/.test(type)) return 4 + i / 8;
  if (type.startsWith('Enum')) return /'([^']+)'/.exec(type)?.[1] ?? '';
  return `value-${i}`;
}

/** Writes rows into every data table of the source database, built from its columns. */
async function fillClickHouse(): Promise<void> {
  const columns = (
    await ch(
      `SELECT table, name, type FROM system.columns WHERE database = '${CH_SOURCE}' ORDER BY table FORMAT TabSeparated`,
    )
  )
    .trim()
    .split('\n')
    .map((l) => l.split('\t') as [string, string, string]);
  const engines = new Map(
    (await ch(`SELECT name, engine FROM system.tables WHERE database = '${CH_SOURCE}' FORMAT TabSeparated`))
      .trim()
      .split('\n')
      .map((l) => l.split('\t') as [string, string]),
  );
  for (const table of [...new Set(columns.map((c) => c[0]))].filter((t) => engines.get(t) !== 'View')) {
    const rows = Array.from({ length: 30 }, (_, i) =>
      JSON.stringify(
        Object.fromEntries(columns.filter((c) => c[0] === table).map(([, name, type]) => [name, sample(type, i)])),
      ),
    );
    await ch(`INSERT INTO ${CH_SOURCE}.${table} FORMAT JSONEachRow`, rows.join('\n'));
  }
}

/** Every table's rows (sorted lines) and every view's answer, by name. */
async function clickhouseContent(database: string): Promise<Record<string, string[]>> {
  const tables = (
    await ch(`SELECT name FROM system.tables WHERE database = '${database}' ORDER BY name FORMAT TabSeparated`)
  )
    .trim()
    .split('\n');
  const out: Record<string, string[]> = {};
  for (const t of tables)
    out[t] = (await ch(`SELECT * FROM ${database}.${t} FORMAT TabSeparated`)).trim().split('\n').sort();
  return out;
}

/** Runs a command-line script of the repository (cli.ts as `npm run backup|restore` does). */
function cli(
  args: string[],
  env: Record<string, string>,
  script = 'libs/backup/src/cli.ts',
): Promise<{ code: number | null; out: string; err: string }> {
  const root = repoRoot();
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.endsWith('_FILE') && k !== 'DATABASE_URL'),
  );
  return runCommand(process.execPath, ['--import', 'tsx', join(root, script), ...args], {
    cwd: root,
    env: { ...inherited, CLICKHOUSE_URL, ...env },
  });
}

async function startApi(databaseUrl: string): Promise<string> {
  const [port, health] = [await freePort(), await freePort()];
  const api = spawnApp('api', {
    ...servingAppEnv(stack, databaseUrl, topicPrefix),
    PORT: String(port),
    HEALTH_PORT: String(health),
    RATE_LIMIT_PER_IP: '1000000',
  });
  apps.push(api);
  await waitFor(
    'the api to be ready',
    async () => {
      if (api.child.exitCode !== null)
        throw new Error(`api exited (${api.child.exitCode}):\n${api.output().slice(-3000)}`);
      return fetch(`http://127.0.0.1:${health}/ready`).then(
        (r) => r.ok,
        () => false,
      );
    },
    90_000,
    200,
  );
  return `http://127.0.0.1:${port}`;
}

const PATHS = [
  `/api/index/history?interval=1m&from=${T0}&to=${T0 + 2 * HOUR}`,
  `/api/index/history?interval=1h&from=${T0}&to=${T0 + 2 * HOUR}`,
  `/api/index/constituents/USDC/history?from=${T0}&to=${T0 + 2 * HOUR}&limit=1000`,
  `/api/index/constituents/USDT/history?from=${T0}&to=${T0 + 2 * HOUR}&limit=1000`,
];

/** An API key made in the source database (`npm run api-keys`): the restored database must know it too. */
let apiKey: string;

async function answers(base: string): Promise<{ path: string; status: number; body: string }[]> {
  const out = [];
  for (const path of PATHS) {
    const res = await fetch(`${base}${path}`, { headers: { 'x-api-key': apiKey } });
    out.push({ path, status: res.status, body: await res.text() });
  }
  return out;
}

beforeAll(async () => {
  dir = join(mkdtempSync(join(tmpdir(), 'backup-it-')), 'backup');
  await createTopic(stack, `${topicPrefix}syi.calculated`);
  source = await createTestDatabase('backup_src');
  target = await createTestDatabase('backup_dst');
  const pool = new Pool({ connectionString: source.url, max: 2 });
  try {
    const { variant } = await migrate(pool, pino({ level: 'warn' }));
    await storeRecords(
      pool,
      variant,
      'syi.calculated',
      signedChain(2 * 360, T0, { stepMs: 10_000, value: (i) => 4 + Math.sin(i / 5) }),
    );
  } finally {
    await pool.end();
  }
  const made = await cli(['create', 'backup-test'], { DATABASE_URL: source.url }, 'apps/api/src/keys-cli.ts');
  if (made.code !== 0) throw new Error(`api-keys create: ${made.err}`);
  apiKey = (JSON.parse(made.out) as { key: string }).key;
  await ensureSchema(
    {
      command: async (sql: string) => {
        await ch(sql);
      },
    },
    CH_SOURCE,
  );
  await fillClickHouse();
}, 120_000);

afterAll(async () => {
  await Promise.all(apps.map((a) => stopApp(a)));
  await source?.drop();
  await target?.drop();
  for (const db of [CH_SOURCE, CH_TARGET]) await ch(`DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
  await deleteTopic(stack, `${topicPrefix}syi.calculated`).catch(() => undefined);
  if (dir !== undefined) rmSync(join(dir, '..'), { recursive: true, force: true });
}, 60_000);

describe('npm run backup / npm run restore', () => {
  it('restores into empty databases an api that answers byte for byte what the original answered', async () => {
    const before = await answers(await startApi(source.url));
    expect(before.map((a) => a.status)).toEqual(PATHS.map(() => 200));
    expect((JSON.parse(before[0]!.body) as { points: unknown[] }).points).toHaveLength(120);
    expect((JSON.parse(before[2]!.body) as { points: unknown[] }).points.length).toBeGreaterThan(100);
    const chBefore = await clickhouseContent(CH_SOURCE);

    const made = await cli(['backup', dir], { DATABASE_URL: source.url, CLICKHOUSE_DATABASE: CH_SOURCE });
    expect({ code: made.code, err: made.err }).toEqual({ code: 0, err: '' });
    expect(made.out).not.toContain('postgres://');
    const restored = await cli(['restore', dir], { DATABASE_URL: target.url, CLICKHOUSE_DATABASE: CH_TARGET });
    expect({ code: restored.code, err: restored.err }).toEqual({ code: 0, err: '' });

    const after = await answers(await startApi(target.url));
    expect(after).toEqual(before);

    const chAfter = await clickhouseContent(CH_TARGET);
    expect(Object.keys(chAfter)).toEqual(Object.keys(chBefore));
    expect(Object.values(chBefore).filter((rows) => rows.length >= 30).length).toBeGreaterThan(2);
    expect(chAfter).toEqual(chBefore);
  }, 240_000);

  it('refuses to restore into databases that are not empty', async () => {
    const again = await cli(['restore', dir, '--only', 'postgres'], { DATABASE_URL: target.url });
    expect(again.code).toBe(1);
    expect(again.err).toContain(`refusing to restore into ${target.name}: it is not empty`);
    const chAgain = await cli(['restore', dir, '--only', 'clickhouse'], { CLICKHOUSE_DATABASE: CH_TARGET });
    expect(chAgain.code).toBe(1);
    expect(chAgain.err).toContain(`refusing to restore into ClickHouse database ${CH_TARGET}`);
  }, 60_000);

  it('refuses a damaged backup before touching a database', async () => {
    const damaged = `${dir}-damaged`;
    const copy = await cli(['backup', damaged, '--only', 'postgres'], { DATABASE_URL: source.url });
    expect(copy.code).toBe(0);
    const dump = join(damaged, 'postgres.dump');
    const bytes = readFileSync(dump);
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
    writeFileSync(dump, bytes);
    const empty = await createTestDatabase('backup_dmg');
    try {
      const r = await cli(['restore', damaged, '--only', 'postgres'], { DATABASE_URL: empty.url });
      expect(r.code).toBe(1);
      expect(r.err).toContain('postgres.dump does not match its SHA-256');
    } finally {
      await empty.drop();
    }
  }, 60_000);
});
