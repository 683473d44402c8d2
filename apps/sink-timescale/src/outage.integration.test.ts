/**
 * PostgreSQL stopped for 30 s while sink-timescale runs: consumption pauses (the failed batch
 * is retried, nothing is committed) and resumes without loss when the database returns.
 * Stops the shared local PostgreSQL: kept in its own file, and always restarts it.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase } from '@stableyield/postgres/testing';
import {
  expectCleanStop,
  repoRoot,
  sampleRecords,
  scrapeMetric,
  sinkAttempts,
  type SinkAttempt,
} from '@stableyield/sink-model/testing';
import { testStack, uniqueGroup, waitWhileAppRuns } from '@stableyield/kafka/testing';

const OUTAGE_MS = 30_000;
const HEALTH_PORT = 19_408;
// Generous: the shared 2-core machine runs other engineers' stacks and tests at the same time.
jest.setTimeout(600_000);

let postgresStopped = false;

const postgres = (action: 'start' | 'stop') => {
  execFileSync('bash', [join(repoRoot(), 'scripts/stack/components/postgres.sh'), action], {
    stdio: 'ignore',
    timeout: 60_000,
  });
  postgresStopped = action === 'stop';
};

// A failed attempt must not leave the database down for jest's retry (or the next suite): registered before
// sinkAttempts' afterEach (jest runs them in this order), so the database is back before the attempt's is dropped.
afterEach(() => {
  if (postgresStopped) postgres('start');
});

/**
 * One attempt's own topics, database, records and producer: jest retries a failed test once, and
 * a retry that met the first attempt's rows could never count exactly its own (a producer that
 * knew the first attempt's deleted topics keeps asking for them). Every sink an attempt started
 * (a retried test starts another) is killed after it: an open child process keeps jest from exiting.
 */
const { isolated, startSink, produce } = sinkAttempts<
  SinkAttempt & { db: Awaited<ReturnType<typeof createTestDatabase>> }
>(testStack(), 'sink-timescale', 'out', {
  setUp: async (a) => {
    a.db = await createTestDatabase('sinkout');
  },
  tearDown: async (a) => {
    await a.db?.drop();
  },
  env: (a) => ({ DATABASE_URL: a.db.url }),
});

async function count(databaseUrl: string): Promise<number> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const exists = await c.query<{ e: boolean }>("SELECT to_regclass('syi_peg') IS NOT NULL AS e");
    if (!exists.rows[0]?.e) return 0;
    return Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM syi_peg')).rows[0]?.n);
  } finally {
    await c.end();
  }
}

it(
  'pauses through a 30 s PostgreSQL outage and resumes without loss',
  isolated(async (a) => {
    const { run, db } = a;
    const before = sampleRecords('syi.peg', run, 500);
    const during = sampleRecords('syi.peg', run, 2_000, 500);
    const sink = startSink(a, uniqueGroup('sink-ts-outage'), {
      HEALTH_PORT: String(HEALTH_PORT),
      RETRY_MAX_MS: '2000',
    });
    await produce(a, 'syi.peg', before);
    await waitWhileAppRuns(
      sink,
      'rows before the outage',
      async () => (await count(db.url)) === before.length,
      240_000,
    );

    postgres('stop');
    const stoppedAt = Date.now();
    await produce(a, 'syi.peg', during);
    // the write of the first batch after the stop fails (a connection error); its retries follow
    const connectionErrors = () => scrapeMetric(HEALTH_PORT, 'db_connection_errors_total', { sink: 'timescale' });
    await waitWhileAppRuns(
      sink,
      'the sink to meet the outage',
      async () => (await connectionErrors()) > 0,
      OUTAGE_MS,
      200,
    );
    expect(sink.child.exitCode).toBeNull(); // still running, not crashed
    // Keep the database down for the whole 30 s (the scenario's length, not a wait for a condition).
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt))));
    postgres('start');

    await waitWhileAppRuns(
      sink,
      'every row after the outage',
      async () => (await count(db.url)) === before.length + during.length,
      240_000,
    );
    expect(await scrapeMetric(HEALTH_PORT, 'sink_retries_total', { sink: 'timescale' })).toBeGreaterThan(0);
    expect(await scrapeMetric(HEALTH_PORT, 'sink_rows_written_total', { sink: 'timescale', table: 'syi_peg' })).toBe(
      before.length + during.length,
    );
    await expectCleanStop(sink);
  }),
);
