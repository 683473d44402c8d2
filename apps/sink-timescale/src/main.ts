import { AggregateRefresher, createPool, migrate, PostgresWriter, registerPoolUsage } from '@stableyield/postgres';
import { createSinkHandler, SINK_TOPICS, SinkMetrics } from '@stableyield/sink-model';
import {
  CATALOG,
  connectKafka,
  ConsumerRunner,
  KafkaMetrics,
  sinkConsumerOptions,
  TopicProducer,
} from '@stableyield/kafka';
import { createLogger, createMetricsRegistry, startService } from '@stableyield/observability';
import { loadAppConfig } from './config';

const APP = 'sink-timescale';

/** `main.ts migrate` applies the migrations and exits; without an argument the sink runs (migrating first). */
async function main(command: string | undefined): Promise<void> {
  const config = loadAppConfig();
  const logger = createLogger({ app: APP, level: config.LOG_LEVEL });
  const registry = createMetricsRegistry(APP);
  const sinkMetrics = new SinkMetrics(registry);
  const poolSettings = { connectionString: config.DATABASE_URL, max: config.PG_POOL_SIZE };
  const pool = createPool(poolSettings, logger, { metrics: sinkMetrics, sink: 'timescale' });
  registerPoolUsage(registry, 'sink-timescale', pool);
  const { variant } = await migrate(pool, logger);
  if (command === 'migrate') {
    await pool.end();
    return;
  }

  const { progress, readiness, shutdown } = await startService(APP, config, { logger, registry });
  const { kafka, serde } = await connectKafka(config, logger, { clientId: APP, provision: CATALOG });
  const kafkaMetrics = KafkaMetrics.of(registry);
  const producer = new TopicProducer(kafka, serde, kafkaMetrics, logger);
  await producer.connect();

  const writer = new PostgresWriter({ pool, variant, batchSize: config.BATCH_SIZE });
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
  readiness.add('database', async () => (await pool.query('SELECT 1')).rowCount === 1);

  const refresher = new AggregateRefresher(pool, logger, sinkMetrics.aggregateRefreshFailures);
  refresher.start(config.AGGREGATE_REFRESH_MS);

  shutdown.add('consumer', () => runner.stop());
  shutdown.add('aggregates', () => refresher.stop());
  shutdown.add('producer', () => producer.disconnect());
  shutdown.add('pool', () => pool.end());
  await runner.start();
  logger.info({ variant, group: config.SINK_GROUP_ID, topics: SINK_TOPICS.length }, 'sink_started');
}

main(process.argv[2]).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
