/**
 * PostgreSQL for the integration tests and benchmarks against the real local stack: a fresh
 * database per test file. Test code only: never imported by an app.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

export const TEST_DATABASE_URL =
  process.env.DATABASE_URL_TEST ?? 'postgres://stableyield@127.0.0.1:55432/stableyield_test';

/** A fresh PostgreSQL database for one test file; `drop` removes it. */
export async function createTestDatabase(
  prefix = 'sink',
): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const admin = new Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = TEST_DATABASE_URL.replace(/\/[^/]*$/, `/${name}`);
  return {
    name,
    url,
    drop: async () => {
      const c = new Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
