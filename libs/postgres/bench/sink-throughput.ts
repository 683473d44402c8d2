/**
 * Sustained rows/s of sink-timescale from a pre-filled topic (default 1 000 000 cc.prices
 * records on 12 partitions), beside two ceilings on the same database without Kafka:
 * the sink's own batch upsert (PostgresWriter, unnest) and psql COPY of the same rows.
 * Prints one JSON object.
 *
 *   npm run --silent bench -- postgres [--records 1000000]
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import pino from 'pino';
import { TABLES } from '@stableyield/sink-model';
import { deleteSinkTopics, measureSinkRun, prefillSinkTopic, sinkBench } from '@stableyield/sink-model/testing';
import { migrate, PostgresWriter } from '../src';
import { createTestDatabase } from '../src/testing';

const BATCH = 5_000;

async function main(): Promise<void> {
  const { stack, prefix, records, values, asRecords } = await sinkBench('cc.prices');
  const logger = pino({ level: 'warn' });

  // Ceiling 1: the sink's upsert path, no Kafka.
  const direct = await createTestDatabase('benchdirect');
  const pool = new Pool({ connectionString: direct.url, max: 2 });
  const { variant } = await migrate(pool, logger);
  const writer = new PostgresWriter({ pool, variant, batchSize: BATCH });
  let t = Date.now();
  for (let i = 0; i < asRecords.length; i += BATCH) await writer.write('cc.prices', asRecords.slice(i, i + BATCH));
  const upsertSeconds = (Date.now() - t) / 1000;

  // Ceiling 2: COPY of the same rows into an empty copy of the table (same keys and checks).
  const csv = join(tmpdir(), `${prefix}csv`);
  writeFileSync(
    csv,
    values
      .map((r) =>
        [
          r.value.symbol,
          r.value.venue,
          new Date(r.value.ts).toISOString(),
          r.value.price,
          r.value.volume24hUsd ?? '',
        ].join(','),
      )
      .join('\n'),
  );
  await pool.query(`CREATE TABLE cc_prices_copy (LIKE ${TABLES.cc_prices.name} INCLUDING ALL)`);
  t = Date.now();
  execFileSync('psql', [
    direct.url,
    '-qc',
    `\\copy cc_prices_copy (symbol, venue, ts, price, volume_24h_usd) FROM '${csv}' WITH (FORMAT csv)`,
  ]);
  const copySeconds = (Date.now() - t) / 1000;
  await pool.end();
  await direct.drop();

  // The sink from a pre-filled topic.
  const prefill = await prefillSinkTopic(stack, prefix, 'cc.prices', values);
  const sinkDb = await createTestDatabase('benchsink');
  const sink = await measureSinkRun(
    'sink-timescale',
    {
      DATABASE_URL: sinkDb.url,
      TOPIC_PREFIX: prefix,
      SINK_GROUP_ID: `bench-${prefix}`,
      BATCH_SIZE: String(BATCH),
      KAFKA_BROKERS: stack.brokers.join(','),
      SCHEMA_REGISTRY_URL: stack.registryUrl,
    },
    19_308,
    records,
  );
  await sinkDb.drop();
  await deleteSinkTopics(stack, prefix);

  console.log(
    JSON.stringify(
      {
        benchmark: 'sink-timescale',
        variant,
        records,
        machine: { cpus: cpus().length, loadAverage1m: loadavg()[0] },
        topic: 'cc.prices (12 partitions)',
        prefill,
        sink: sink,
        ceilings: {
          writerWithoutKafka: {
            seconds: upsertSeconds,
            rowsPerSecond: Math.round(records / upsertSeconds),
            batchRows: BATCH,
          },
          psqlCopy: { seconds: copySeconds, rowsPerSecond: Math.round(records / copySeconds) },
        },
        targetRowsPerSecond: 30_000,
        meetsTarget: sink.rowsPerSecond >= 30_000,
      },
      null,
      2,
    ),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
