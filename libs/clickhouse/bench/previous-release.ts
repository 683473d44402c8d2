/**
 * The code before @clickhouse/client, for side-by-side figures in one benchmark run: commit
 * PREVIOUS_COMMIT unpacked (git archive, nothing in this checkout changes) into a cache folder
 * whose node_modules are this checkout's, except @stableyield/*, which point at the old sources.
 * Bench code only: the old fetch client runs here and nowhere else.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, scrapeMetric } from '@stableyield/sink-model/testing';

/** The last commit whose libs/clickhouse talked to ClickHouse through its own fetch code (src/http.ts). */
export const PREVIOUS_COMMIT = '8f5078f';

/** The old tree, unpacked once per commit. */
export function previousTree(): string {
  const root = repoRoot();
  const dir = join(homedir(), '.cache/stableyield', `bench-previous-${PREVIOUS_COMMIT}`);
  if (existsSync(join(dir, '.complete'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('bash', [
    '-c',
    `git -C "$1" archive "$2" libs apps package.json tsconfig.base.json | tar -x -C "$3"`,
    '_',
    root,
    PREVIOUS_COMMIT,
    dir,
  ]);
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  for (const entry of readdirSync(join(root, 'node_modules'))) {
    if (entry !== '@stableyield') symlinkSync(join(root, 'node_modules', entry), join(modules, entry));
  }
  // The workspace links are relative (../../libs/x), so copied here they name the old sources.
  execFileSync('cp', ['-a', join(root, 'node_modules/@stableyield'), modules]);
  execFileSync('touch', [join(dir, '.complete')]);
  return dir;
}

export interface PreviousInsertClient {
  insertRowBinary(database: string, table: string, columns: readonly string[], body: Buffer): Promise<void>;
}

/** The old fetch client (ClickHouseHttp of the previous commit). */
export async function previousClient(url: string): Promise<PreviousInsertClient> {
  const module = (await import(join(previousTree(), 'libs/clickhouse/src/http.ts'))) as {
    ClickHouseHttp: new (s: { url: string; timeoutMs: number }) => PreviousInsertClient;
  };
  return new module.ClickHouseHttp({ url, timeoutMs: 60_000 });
}

/**
 * Runs the previous sink-clickhouse until `rows` rows are written; rows/s from its first row to its last, as
 * measureSinkRun does.
 */
export async function measurePreviousSinkRun(
  env: Record<string, string>,
  healthPort: number,
  rows: number,
  timeoutMs = 600_000,
): Promise<{ rows: number; sustainedSeconds: number; rowsPerSecond: number }> {
  const dir = previousTree();
  const child = spawn(process.execPath, ['--import', 'tsx', join(dir, 'apps/sink-clickhouse/src/main.ts')], {
    cwd: dir,
    env: { ...process.env, ...env, HEALTH_PORT: String(healthPort), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr.on('data', (d: Buffer) => (errors = (errors + d.toString()).slice(-3000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const started = Date.now();
  let first = 0;
  let written = 0;
  try {
    while (written < rows) {
      if (Date.now() - started > timeoutMs)
        throw new Error(`previous sink wrote ${written} of ${rows} rows in ${timeoutMs} ms\n${errors}`);
      if (child.exitCode !== null) throw new Error(`previous sink exited\n${errors}`);
      await new Promise((r) => setTimeout(r, 200));
      written = await scrapeMetric(healthPort, 'sink_rows_written_total');
      if (written > 0 && first === 0) first = Date.now();
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  const sustainedSeconds = (Date.now() - first) / 1000;
  return { rows: written, sustainedSeconds, rowsPerSecond: Math.round(written / sustainedSeconds) };
}
