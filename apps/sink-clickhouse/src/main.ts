import { ClickHouse, ClickHouseWriter, ensureSchema } from '@stableyield/clickhouse';
import { createSinkHandler, SINK_TOPICS, SinkMetrics } from '@stableyield/sink-model';
import { CATALOG, connectKafka, ConsumerRunner, KafkaMetrics, TopicProducer } from '@stableyield/kafka';
import { createLogger, startService } from '@stableyield/observability';
import type { DataTopic } from '@stableyield/schemas';
import { clickHouseSettings, loadAppConfig } from './config';

const APP = 'sink-clickhouse';

/** `main.ts migrate` creates the database and tables and exits; without an argument the sink runs. */
async function main(command: string | undefined): Promise<void> {
  const config = loadAppConfig();
  const logger = createLogger({ app: APP, level: config.LOG_LEVEL });
  const client = new ClickHouse(clickHouseSettings(config, logger.child({ module: 'clickhouse' })));
  await ensureSchema(client, config.CLICKHOUSE_DATABASE);
  logger.info({ database: config.CLICKHOUSE_DATABASE }, 'schema_ready');
  if (command === 'migrate') return client.close();

  const { registry, progress, readiness, shutdown } = await startService(APP, config, { logger });
  const sinkMetrics = new SinkMetrics(registry);
  const { kafka, serde } = await connectKafka(config, logger, { clientId: APP, provision: CATALOG });
  const kafkaMetrics = KafkaMetrics.of(registry);
  const producer = new TopicProducer(kafka, serde, kafkaMetrics, logger);
  await producer.connect();

  const writer = new ClickHouseWriter({ client, database: config.CLICKHOUSE_DATABASE, batchSize: config.BATCH_SIZE });
  progress.register('consumer', 60_000);
  const runner = new ConsumerRunner({
    kafka, serde, metrics: kafkaMetrics, logger, producer,
    groupId: config.SINK_GROUP_ID,
    // Prefixed names are the catalog topics' test copies; the values have the same schemas.
    topics: SINK_TOPICS.map((t) => `${config.TOPIC_PREFIX}${t}` as DataTopic),
    retry: { initialMs: 200, maxMs: config.RETRY_MAX_MS },
    fetch: { minBytes: config.FETCH_MIN_BYTES, maxWaitMs: config.FLUSH_INTERVAL_MS, maxBytesPerPartition: config.FETCH_MAX_BYTES_PER_PARTITION },
    partitionsConcurrently: config.PARTITIONS_CONCURRENTLY,
    onProgress: () => progress.beat('consumer'),
    handle: createSinkHandler({ writer, metrics: sinkMetrics, kafkaMetrics, producer, serde, logger, topicPrefix: config.TOPIC_PREFIX }),
  });
  readiness.add('consumer', () => runner.isRunning);
  readiness.add('clickhouse', () => client.ping());

  shutdown.add('consumer', () => runner.stop());
  shutdown.add('producer', () => producer.disconnect());
  shutdown.add('clickhouse', () => client.close());
  await runner.start();
  logger.info({ group: config.SINK_GROUP_ID, database: config.CLICKHOUSE_DATABASE }, 'sink_started');
}

main(process.argv[2]).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
