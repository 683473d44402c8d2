import { ClickHouse, ClickHouseWriter, ensureSchema } from '@stableyield/clickhouse';
import { createSinkHandler, SINK_TOPICS, SinkMetrics } from '@stableyield/sink-model';
import {
  CATALOG,
  connectKafka,
  ConsumerRunner,
  KafkaMetrics,
  sinkConsumerOptions,
  TopicProducer,
} from '@stableyield/kafka';
import { createLogger, startService } from '@stableyield/observability';
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
    kafka,
    serde,
    metrics: kafkaMetrics,
    logger,
    producer,
    ...sinkConsumerOptions(config, SINK_TOPICS),
    onProgress: () => progress.beat('consumer'),
    handle: createSinkHandler({
      writer,
      metrics: sinkMetrics,
      kafkaMetrics,
      producer,
      serde,
      logger,
      topicPrefix: config.TOPIC_PREFIX,
    }),
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
