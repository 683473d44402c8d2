/**
 * npm run backup -- DIR      TimescaleDB and ClickHouse into DIR (a new, empty folder)
 * npm run restore -- DIR     DIR back into empty databases
 *   --only postgres|clickhouse   one of the two
 * Connections from the environment, as the apps take them: DATABASE_URL (or DATABASE_URL_FILE),
 * CLICKHOUSE_URL, CLICKHOUSE_DATABASE (default stableyield_analytics), CLICKHOUSE_USER,
 * CLICKHOUSE_PASSWORD (or CLICKHOUSE_PASSWORD_FILE). Nothing secret is printed.
 */
import { httpUrl, loadConfig, z, type Env } from '@stableyield/config';
import { backup, restore, type Targets } from './backup';

const schema = z.object({
  DATABASE_URL: z.string().min(1).optional(),
  CLICKHOUSE_URL: httpUrl.default('http://127.0.0.1:8123'),
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain identifier')
    .default('stableyield_analytics'),
  CLICKHOUSE_USER: z.string().min(1).optional(),
  CLICKHOUSE_PASSWORD: z.string().min(1).optional(),
});

export interface Command {
  readonly verb: 'backup' | 'restore';
  readonly dir: string;
  readonly only?: 'postgres' | 'clickhouse';
}

export function parseArgs(argv: readonly string[]): Command {
  const [verb, ...rest] = argv;
  if (verb !== 'backup' && verb !== 'restore')
    throw new Error('usage: cli.ts backup|restore DIR [--only postgres|clickhouse]');
  let dir: string | undefined;
  let only: Command['only'];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--only') {
      const v = rest[++i];
      if (v !== 'postgres' && v !== 'clickhouse')
        throw new Error(`--only takes postgres or clickhouse, not ${String(v)}`);
      only = v;
    } else if (dir === undefined && !arg.startsWith('-')) {
      dir = arg;
    } else {
      throw new Error(`unexpected argument ${arg}`);
    }
  }
  if (dir === undefined) throw new Error(`${verb}: name the backup folder`);
  return { verb, dir, ...(only ? { only } : {}) };
}

/** The connections of `command`, from `env` (default: the process environment, through libs/config). */
export function targetsOf(command: Command, env?: Env): Targets {
  const config = env === undefined ? loadConfig(schema) : loadConfig(schema, env);
  const postgresUrl = command.only !== 'clickhouse' ? config.DATABASE_URL : undefined;
  if (command.only !== 'clickhouse' && postgresUrl === undefined)
    throw new Error('DATABASE_URL (or DATABASE_URL_FILE) is required, or --only clickhouse');
  return {
    ...(postgresUrl !== undefined ? { postgresUrl } : {}),
    ...(command.only !== 'postgres'
      ? {
          clickhouse: {
            url: config.CLICKHOUSE_URL,
            database: config.CLICKHOUSE_DATABASE,
            ...(config.CLICKHOUSE_USER !== undefined ? { user: config.CLICKHOUSE_USER } : {}),
            ...(config.CLICKHOUSE_PASSWORD !== undefined ? { password: config.CLICKHOUSE_PASSWORD } : {}),
          },
        }
      : {}),
  };
}

async function main(): Promise<void> {
  const command = parseArgs(process.argv.slice(2));
  const targets = targetsOf(command);
  const manifest = command.verb === 'backup' ? await backup(command.dir, targets) : await restore(command.dir, targets);
  const summary = {
    verb: command.verb,
    dir: command.dir,
    createdAt: manifest.createdAt,
    postgres: targets.postgresUrl !== undefined ? manifest.postgres?.database : undefined,
    clickhouse:
      targets.clickhouse !== undefined
        ? manifest.clickhouse?.tables.map((t) => `${t.name}${t.view ? ' (view)' : `: ${t.rows} rows`}`)
        : undefined,
    bytes: manifest.files.reduce((a, f) => a + f.bytes, 0),
  };
  console.log(JSON.stringify(summary));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
