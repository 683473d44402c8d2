/**
 * Sustained rows/s of sink-clickhouse from a pre-filled topic (default 1 000 000 pyth.prices
 * records on 12 partitions), beside the raw insert rate of the same server without Kafka (the
 * same rows as RowBinary in 100 000-row requests). Every figure twice in the same run: with
 * @clickhouse/client (this code) and with the fetch client it replaced (commit
 * PREVIOUS_COMMIT, see previous-release.ts), plus the ratio new / previous. Prints one JSON object.
 *
 *   npm run --silent bench -- clickhouse [--records 1000000]
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { provisionAll, testStack } from '@stableyield/kafka/testing';
import { TABLES, type SinkRecord } from '@stableyield/db';
import {
  CLICKHOUSE_URL, connectTestProducer, createSinkTopics, deleteSinkTopics, measureSinkRun, produceRecords, sampleRecords, uniquePrefix,
} from '@stableyield/db/testing';
import { ClickHouse, ClickHouseWriter, ensureSchema } from '../src';
import { measurePreviousSinkRun, PREVIOUS_COMMIT, previousClient, type PreviousInsertClient } from './previous-release';

const args = process.argv.slice(2);
const records = Number(args[args.indexOf('--records') + 1] ?? 0) || 1_000_000;
const BATCH = 100_000;

const ch = new ClickHouse({ url: CLICKHOUSE_URL, requestTimeoutMs: 60_000 });
const uniqueName = (what: string) => `bench_${what}_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
const storedRows = async (database: string, final: boolean) =>
  Number((await ch.query<{ n: string }>(`SELECT count() AS n FROM ${database}.${TABLES.pyth_prices.name}${final ? ' FINAL' : ''}`))[0]?.n);

/** The rows straight into a fresh database through one client, no Kafka: rows/s. */
async function directRate(client: PreviousInsertClient, rows: readonly SinkRecord[]): Promise<{ rowsPerSecond: number; rows: number }> {
  const database = uniqueName('direct');
  await ensureSchema(ch, database);
  const writer = new ClickHouseWriter({ client, database, batchSize: BATCH });
  const t = Date.now();
  for (let i = 0; i < rows.length; i += BATCH) await writer.write('pyth.prices', rows.slice(i, i + BATCH));
  const seconds = (Date.now() - t) / 1000;
  const stored = await storedRows(database, false);
  await ch.command(`DROP DATABASE ${database}`);
  return { rowsPerSecond: Math.round(rows.length / seconds), rows: stored };
}

const ratio = (now: number, before: number) => +(now / before).toFixed(3);

async function main(): Promise<void> {
  const stack = testStack();
  await provisionAll(stack);
  const prefix = uniquePrefix('bench');
  const values = sampleRecords('pyth.prices', prefix.slice(5, 11), records);
  const asRecords: SinkRecord[] = values.map((v, i) => ({ topic: 'pyth.prices', partition: 0, offset: String(i), key: v.key, value: v.value, timestamp: 0, headers: {} }));

  // Ceiling without Kafka, the two clients in turn (twice each, so drift in the machine's load shows).
  const previous = await previousClient(CLICKHOUSE_URL);
  const direct = { previous: [] as number[], current: [] as number[] };
  for (let round = 0; round < 2; round++) {
    direct.previous.push((await directRate(previous, asRecords)).rowsPerSecond);
    direct.current.push((await directRate(ch, asRecords)).rowsPerSecond);
  }

  await createSinkTopics(stack, prefix);
  const producer = await connectTestProducer(stack);
  const t = Date.now();
  await produceRecords(stack, producer, prefix, 'pyth.prices', values, 5_000);
  const prefillSeconds = (Date.now() - t) / 1000;
  await producer.disconnect();

  // The same topic through each sink, each with its own consumer group and database.
  const sinkEnv = (database: string, group: string) => ({
    CLICKHOUSE_URL, CLICKHOUSE_DATABASE: database, TOPIC_PREFIX: prefix, SINK_GROUP_ID: group,
    KAFKA_BROKERS: stack.brokers.join(','), SCHEMA_REGISTRY_URL: stack.registryUrl,
  });
  const previousDb = uniqueName('sink_prev');
  const previousSink = await measurePreviousSinkRun(sinkEnv(previousDb, `bench-prev-${prefix}`), 19_309, records);
  const previousStored = await storedRows(previousDb, true);
  const currentDb = uniqueName('sink');
  const sink = await measureSinkRun('sink-clickhouse', sinkEnv(currentDb, `bench-${prefix}`), 19_309, records);
  const stored = await storedRows(currentDb, true);
  for (const db of [previousDb, currentDb]) await ch.command(`DROP DATABASE ${db}`);
  await deleteSinkTopics(stack, prefix);
  const version = (await ch.query<{ v: string }>('SELECT version() AS v'))[0]?.v;
  await ch.close();

  const best = (xs: number[]) => Math.max(...xs);
  console.log(JSON.stringify({
    benchmark: 'sink-clickhouse',
    clickhouse: version,
    records,
    machine: { cpus: cpus().length, loadAverage1m: loadavg()[0] },
    topic: 'pyth.prices (12 partitions)',
    prefill: { seconds: prefillSeconds, recordsPerSecond: Math.round(records / prefillSeconds) },
    sink: { client: '@clickhouse/client', ...sink, storedRowsFinal: stored },
    previousSink: { client: `fetch (${PREVIOUS_COMMIT})`, ...previousSink, storedRowsFinal: previousStored },
    ceiling: { rowBinaryWithoutKafka: { rowsPerInsert: BATCH, rowsPerSecond: { '@clickhouse/client': direct.current, [`fetch (${PREVIOUS_COMMIT})`]: direct.previous } } },
    ratioToPrevious: {
      sink: ratio(sink.rowsPerSecond, previousSink.rowsPerSecond),
      rowBinaryWithoutKafka: ratio(best(direct.current), best(direct.previous)),
    },
    keepsNinetyPercent: sink.rowsPerSecond >= 0.9 * previousSink.rowsPerSecond,
    targetRowsPerSecond: 100_000,
    meetsTarget: sink.rowsPerSecond >= 100_000,
  }, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
