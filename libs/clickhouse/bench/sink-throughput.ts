/**
 * Sustained rows/s of sink-clickhouse from a pre-filled topic (default 1 000 000 pyth.prices
 * records on 12 partitions), beside the raw insert rate of the same server without Kafka (the
 * same rows as RowBinary in 100 000-row requests). Every figure for both clients in the same run:
 * @clickhouse/client (this code) and the fetch client it replaced (commit PREVIOUS_COMMIT, see
 * previous-release.ts), in the order previous, current, current, previous per pair of rounds so a
 * drift in the shared machine's load weighs on both alike; the ratio compares their medians.
 * Prints one JSON object.
 *
 *   npm run --silent bench -- clickhouse [--records 1000000] [--rounds 2]
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { createClient } from '@clickhouse/client';
import { recordRows, TABLES, type SinkRecord } from '@stableyield/sink-model';
import {
  benchOption,
  CLICKHOUSE_URL,
  deleteSinkTopics,
  measureSinkRun,
  prefillSinkTopic,
  sinkBench,
} from '@stableyield/sink-model/testing';
import { ClickHouse, ClickHouseWriter, ensureSchema } from '../src';
import { measurePreviousSinkRun, PREVIOUS_COMMIT, previousClient, type PreviousInsertClient } from './previous-release';

const rounds = benchOption('--rounds', 2);
const BATCH = 100_000;

const ch = new ClickHouse({ url: CLICKHOUSE_URL, requestTimeoutMs: 60_000 });
const uniqueName = (what: string) => `bench_${what}_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
const storedRows = async (database: string, final: boolean) =>
  Number(
    (
      await ch.query<{ n: string }>(
        `SELECT count() AS n FROM ${database}.${TABLES.pyth_prices.name}${final ? ' FINAL' : ''}`,
      )
    )[0]?.n,
  );

/** The rows straight into a fresh database through one client, no Kafka: rows/s. */
async function directRate(
  client: PreviousInsertClient,
  rows: readonly SinkRecord[],
): Promise<{ rowsPerSecond: number; rows: number }> {
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

/**
 * The client's own insert path (JSONEachRow, encoded by the client) for the same rows: what
 * RowBinary is weighed against. (18.16 also parses text floats inexactly, see storage.md.)
 */
async function jsonEachRowRate(rows: readonly SinkRecord[]): Promise<number> {
  const client = createClient({ url: CLICKHOUSE_URL, request_timeout: 60_000 });
  const database = uniqueName('json');
  await ensureSchema(ch, database);
  const t = Date.now();
  for (let i = 0; i < rows.length; i += BATCH) {
    const values = rows.slice(i, i + BATCH).map((record) => {
      const row = recordRows('pyth.prices', record.value as never)[0]!.row;
      return {
        ...row,
        event_time: Math.floor((row[TABLES.pyth_prices.time] as number) / 1000),
        kafka_partition: record.partition,
        kafka_offset: Number(record.offset),
      };
    });
    await client.insert({ table: `${database}.${TABLES.pyth_prices.name}`, values, format: 'JSONEachRow' });
  }
  const rate = Math.round(rows.length / ((Date.now() - t) / 1000));
  await ch.command(`DROP DATABASE ${database}`);
  await client.close();
  return rate;
}

const ratio = (now: number, before: number) => +(now / before).toFixed(3);
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
/** previous, current, current, previous, … — `rounds` runs of each. */
const order = (): ('previous' | 'current')[] =>
  Array.from({ length: rounds * 2 }, (_, i) => (i % 4 === 0 || i % 4 === 3 ? 'previous' : 'current'));

interface SinkFigure {
  rowsPerSecond: number;
  sustainedSeconds: number;
  storedRowsFinal: number;
}

async function main(): Promise<void> {
  const { stack, prefix, records, values, asRecords } = await sinkBench('pyth.prices');

  // Ceiling without Kafka, the two clients in turn.
  const previous = await previousClient(CLICKHOUSE_URL);
  const direct = { previous: [] as number[], current: [] as number[] };
  for (const which of order())
    direct[which].push((await directRate(which === 'previous' ? previous : ch, asRecords)).rowsPerSecond);
  const jsonEachRow = await jsonEachRowRate(asRecords);

  const prefill = await prefillSinkTopic(stack, prefix, 'pyth.prices', values);

  // The same topic through each sink, each with its own consumer group and database.
  const sinkEnv = (database: string, group: string) => ({
    CLICKHOUSE_URL,
    CLICKHOUSE_DATABASE: database,
    TOPIC_PREFIX: prefix,
    SINK_GROUP_ID: group,
    KAFKA_BROKERS: stack.brokers.join(','),
    SCHEMA_REGISTRY_URL: stack.registryUrl,
  });
  const sinks = { previous: [] as SinkFigure[], current: [] as SinkFigure[] };
  for (const [i, which] of order().entries()) {
    const database = uniqueName(`sink_${which}`);
    const env = sinkEnv(database, `bench-${which}-${i}-${prefix}`);
    const run =
      which === 'previous'
        ? await measurePreviousSinkRun(env, 19_309, records)
        : await measureSinkRun('sink-clickhouse', env, 19_309, records);
    sinks[which].push({
      rowsPerSecond: run.rowsPerSecond,
      sustainedSeconds: run.sustainedSeconds,
      storedRowsFinal: await storedRows(database, true),
    });
    await ch.command(`DROP DATABASE ${database}`);
  }
  await deleteSinkTopics(stack, prefix);
  const version = (await ch.query<{ v: string }>('SELECT version() AS v'))[0]?.v;
  await ch.close();

  const sinkRates = {
    previous: sinks.previous.map((s) => s.rowsPerSecond),
    current: sinks.current.map((s) => s.rowsPerSecond),
  };
  console.log(
    JSON.stringify(
      {
        benchmark: 'sink-clickhouse',
        clickhouse: version,
        records,
        machine: { cpus: cpus().length, loadAverage1m: loadavg()[0] },
        topic: 'pyth.prices (12 partitions)',
        prefill,
        order: order(),
        sink: { client: '@clickhouse/client', runs: sinks.current, medianRowsPerSecond: median(sinkRates.current) },
        previousSink: {
          client: `fetch (${PREVIOUS_COMMIT})`,
          runs: sinks.previous,
          medianRowsPerSecond: median(sinkRates.previous),
        },
        ceiling: {
          rowBinaryWithoutKafka: {
            rowsPerInsert: BATCH,
            rowsPerSecond: { '@clickhouse/client': direct.current, [`fetch (${PREVIOUS_COMMIT})`]: direct.previous },
          },
          clientJsonEachRowWithoutKafka: { rowsPerInsert: BATCH, rowsPerSecond: jsonEachRow },
        },
        ratioToPrevious: {
          sink: ratio(median(sinkRates.current), median(sinkRates.previous)),
          rowBinaryWithoutKafka: ratio(median(direct.current), median(direct.previous)),
        },
        keepsNinetyPercent: median(sinkRates.current) >= 0.9 * median(sinkRates.previous),
        targetRowsPerSecond: 100_000,
        meetsTarget: median(sinkRates.current) >= 100_000,
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
