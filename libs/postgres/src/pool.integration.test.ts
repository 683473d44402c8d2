// createPool's statement timeout against the stack's PostgreSQL.
import pino from 'pino';
import { createPool } from './pool';
import { TEST_DATABASE_URL } from './testing';

describe('createPool against PostgreSQL', () => {
  const logger = pino({ level: 'silent' });

  it('cancels a statement that runs past statementTimeoutMs (57014) and keeps the pool usable', async () => {
    const pool = createPool({ connectionString: TEST_DATABASE_URL, max: 1, statementTimeoutMs: 200 }, logger);
    try {
      const started = Date.now();
      await expect(pool.query('SELECT pg_sleep(5)')).rejects.toMatchObject({ code: '57014' });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      expect(
        (await pool.query<{ statement_timeout: string }>('SHOW statement_timeout')).rows[0]!.statement_timeout,
      ).toBe('200ms');
    } finally {
      await pool.end();
    }
  });

  it('sets no limit without statementTimeoutMs', async () => {
    const pool = createPool({ connectionString: TEST_DATABASE_URL, max: 1 }, logger);
    try {
      expect(
        (await pool.query<{ statement_timeout: string }>('SHOW statement_timeout')).rows[0]!.statement_timeout,
      ).toBe('0');
    } finally {
      await pool.end();
    }
  });
});
