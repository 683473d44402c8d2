/**
 * Sustained rows/s of sink-clickhouse from a pre-filled topic (default 1 000 000 pyth.prices
 * records on 12 partitions), beside the raw insert rate of the same server without Kafka:
 * the same rows inserted as RowBinary in 100 000-row requests. Prints one JSON object, with the
 * figures of the hand-written fetch client this replaced (`previous`) and the ratio to them.
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

const args = process.argv.slice(2);
const records = Number(args[args.indexOf('--records') + 1] ?? 0) || 1_000_000;
const BATCH = 100_000;

/**
 * The same benchmark before @clickhouse/client (commit 8f5078f, libs/clickhouse/src/http.ts on
 * fetch), run on this machine as indicated; the new figures must keep at least 90 % of them.
 */
const PREVIOUS = {
  client: 'fetch (hand-written, removed)',
  runs: [
    { date: '2026-12-06T04:51Z', loadAverage1m: 10.53, sinkRowsPerSecond: 77_042, rowBinaryWithoutKafkaRowsPerSecond: 96_488 },
  ],
};
const best = (values: number[]) => Math.max(...values);

async function main(): Promise<void> {
  const stack = testStack();
  const ch = new ClickHouse({ url: CLICKHOUSE_URL, requestTimeoutMs: 60_000 });
  await provisionAll(stack);
  const prefix = uniquePrefix('bench');
  const run = prefix.slice(5, 11);
  const values = sampleRecords('pyth.prices', run, records);

  // Ceiling: the same rows straight into ClickHouse, no Kafka.
  const direct = `bench_direct_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
  await ensureSchema(ch, direct);
  const writer = new ClickHouseWriter({ client: ch, database: direct, batchSize: BATCH });
  const asRecords: SinkRecord[] = values.map((v, i) => ({ topic: 'pyth.prices', partition: 0, offset: String(i), key: v.key, value: v.value, timestamp: 0, headers: {} }));
  let t = Date.now();
  for (let i = 0; i < asRecords.length; i += BATCH) await writer.write('pyth.prices', asRecords.slice(i, i + BATCH));
  const directSeconds = (Date.now() - t) / 1000;
  const directRows = Number((await ch.query<{ n: string }>(`SELECT count() AS n FROM ${direct}.${TABLES.pyth_prices.name}`))[0]?.n);
  await ch.command(`DROP DATABASE ${direct}`);

  await createSinkTopics(stack, prefix);
  const producer = await connectTestProducer(stack);
  t = Date.now();
  await produceRecords(stack, producer, prefix, 'pyth.prices', values, 5_000);
  const prefillSeconds = (Date.now() - t) / 1000;
  await producer.disconnect();
  const database = `bench_sink_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
  const sink = await measureSinkRun('sink-clickhouse', {
    CLICKHOUSE_URL, CLICKHOUSE_DATABASE: database, TOPIC_PREFIX: prefix, SINK_GROUP_ID: `bench-${prefix}`,
    KAFKA_BROKERS: stack.brokers.join(','), SCHEMA_REGISTRY_URL: stack.registryUrl,
  }, 19_309, records);
  const stored = Number((await ch.query<{ n: string }>(`SELECT count() AS n FROM ${database}.${TABLES.pyth_prices.name} FINAL`))[0]?.n);
  await ch.command(`DROP DATABASE ${database}`);
  await deleteSinkTopics(stack, prefix);
  const version = (await ch.query<{ v: string }>('SELECT version() AS v'))[0]?.v;
  await ch.close();
  const directRowsPerSecond = Math.round(records / directSeconds);

  console.log(JSON.stringify({
    benchmark: 'sink-clickhouse',
    clickhouse: version,
    records,
    machine: { cpus: cpus().length, loadAverage1m: loadavg()[0] },
    topic: 'pyth.prices (12 partitions)',
    prefill: { seconds: prefillSeconds, recordsPerSecond: Math.round(records / prefillSeconds) },
    sink: { ...sink, storedRowsFinal: stored },
    ceiling: { rowBinaryWithoutKafka: { seconds: directSeconds, rowsPerSecond: directRowsPerSecond, rows: directRows, rowsPerInsert: BATCH } },
    client: '@clickhouse/client',
    previous: PREVIOUS,
    ratioToPrevious: {
      sink: +(sink.rowsPerSecond / best(PREVIOUS.runs.map((r) => r.sinkRowsPerSecond))).toFixed(3),
      rowBinaryWithoutKafka: +(directRowsPerSecond / best(PREVIOUS.runs.map((r) => r.rowBinaryWithoutKafkaRowsPerSecond))).toFixed(3),
    },
    targetRowsPerSecond: 100_000,
    meetsTarget: sink.rowsPerSecond >= 100_000,
  }, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
