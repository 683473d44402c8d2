// API keys: `npm run --silent api-keys -- create NAME | list | revoke ID` (uses DATABASE_URL).
// The secret key is printed once, at creation; only its SHA-256 is stored.
import { ApiKeyStore, ensureApiKeysTable } from '@stableyield/api-core';
import { createPool } from '@stableyield/postgres';
import { createLogger } from '@stableyield/observability';
import { loadAppConfig } from './config';

const USAGE = 'usage: api-keys create NAME | list | revoke ID';

async function run(args: string[]): Promise<number> {
  const [command, arg] = args;
  const config = loadAppConfig();
  const logger = createLogger({ app: 'api-keys', level: 'warn' });
  const pool = createPool({ connectionString: config.DATABASE_URL, max: 1 }, logger);
  try {
    await ensureApiKeysTable(pool);
    const store = new ApiKeyStore(pool);
    if (command === 'create' && arg) {
      console.log(JSON.stringify(await store.create(arg)));
      return 0;
    }
    if (command === 'list' && !arg) {
      for (const key of await store.list()) console.log(JSON.stringify(key));
      return 0;
    }
    if (command === 'revoke' && arg) {
      const revoked = await store.revoke(arg);
      console.log(JSON.stringify({ id: arg, revoked }));
      return revoked ? 0 : 1;
    }
    console.error(USAGE);
    return 2;
  } finally {
    await pool.end();
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
