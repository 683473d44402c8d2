/**
 * PostgreSQL (TimescaleDB) backup with pg_dump's custom format and restore with pg_restore into
 * an empty database. With the timescaledb extension, the restore is wrapped in
 * timescaledb_pre_restore() / timescaledb_post_restore() as Timescale documents.
 * The connection goes to the tools as libpq variables, never onto a command line or a log line.
 */
import { spawn } from 'node:child_process';
import { Client } from 'pg';

/** Runs a command in exactly this environment: its exit code and what it wrote (rejects only if it cannot start). */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string },
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

/** Runs a command; rejects with its stderr (which names no secret: the URL is not on the command line). */
export async function runTool(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  // The tools inherit the environment (PATH, locale) plus libpq's connection variables; nothing here is
  // configuration.
  // eslint-disable-next-line no-restricted-properties
  const { code, out, err } = await runCommand(command, args, { env: { ...process.env, ...env } });
  if (code !== 0) throw new Error(`${command} exited ${String(code)}: ${err.trim().slice(-2000)}`);
  return out;
}

/**
 * The connection as libpq's variables (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE):
 * a URL on the command line would show its password in every process list.
 */
const libpqEnv = (url: string): NodeJS.ProcessEnv => {
  const u = new URL(url);
  const env: NodeJS.ProcessEnv = {
    PGHOST: u.hostname,
    PGPORT: u.port || '5432',
    PGDATABASE: decodeURIComponent(u.pathname.slice(1)),
    PGUSER: decodeURIComponent(u.username),
  };
  if (u.password !== '') env.PGPASSWORD = decodeURIComponent(u.password);
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode !== null) env.PGSSLMODE = sslmode;
  return env;
};

export const databaseName = (url: string): string => decodeURIComponent(new URL(url).pathname.slice(1));

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function hasTimescale(url: string): Promise<boolean> {
  return withClient(
    url,
    async (c) => (await c.query("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")).rowCount === 1,
  );
}

/** Tables and views of the user's schemas: a restore target must have none. */
export async function userRelations(url: string): Promise<string[]> {
  return withClient(url, async (c) =>
    (
      await c.query<{ name: string }>(
        `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'v', 'm', 'p') ` +
          `AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE '\\_timescaledb%'
       AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname <> 'timescaledb_information' ` +
          `AND n.nspname <> 'timescaledb_experimental'
     ORDER BY 1`,
      )
    ).rows.map((r) => r.name),
  );
}

export async function dumpPostgres(url: string, file: string): Promise<{ timescaledb: boolean }> {
  const env = libpqEnv(url);
  await runTool('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${file}`], env);
  return { timescaledb: await hasTimescale(url) };
}

export async function restorePostgres(url: string, file: string, timescaledb: boolean): Promise<void> {
  const existing = await userRelations(url);
  if (existing.length > 0) {
    throw new Error(
      `refusing to restore into ${databaseName(url)}: it is not empty ` +
        `(${existing.slice(0, 5).join(', ')}${existing.length > 5 ? ', …' : ''})`,
    );
  }
  if (timescaledb) {
    await withClient(url, async (c) => {
      await c.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
      await c.query('SELECT timescaledb_pre_restore()');
    });
  }
  const env = libpqEnv(url);
  try {
    await runTool(
      'pg_restore',
      ['--no-owner', '--no-privileges', '--exit-on-error', `--dbname=${env.PGDATABASE!}`, file],
      env,
    );
  } finally {
    if (timescaledb)
      await withClient(url, async (c) => {
        await c.query('SELECT timescaledb_post_restore()');
      });
  }
}
