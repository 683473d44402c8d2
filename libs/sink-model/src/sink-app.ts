// What both sink apps run once their store is ready: the sink topics consumed into a writer, dead
// letters through an idempotent producer, a progress beat, readiness and shutdown steps. The app's
// main.ts makes the store (migrations, pool or client) and its own readiness checks.
import {
  CATALOG,
  connectKafka,
  ConsumerRunner,
  KafkaMetrics,
  sinkConsumerOptions,
  TopicProducer,
  type KafkaAppConfig,
  type SinkConsumerConfig,
} from '@stableyield/kafka';
import type { Service } from '@stableyield/observability';
import { SINK_TOPICS } from './model';
import { createSinkHandler, type SinkMetrics, type SinkWriter } from './sink';

/** A consumer that made no progress for this long fails /health (a wedged sink restarts). */
const PROGRESS_TIMEOUT_MS = 60_000;

export interface SinkAppOptions {
  app: string;
  config: KafkaAppConfig & SinkConsumerConfig;
  service: Pick<Service, 'logger' | 'registry' | 'progress' | 'readiness' | 'shutdown'>;
  writer: SinkWriter;
  metrics: SinkMetrics;
}

/** Connects, starts consuming and returns the runner; its shutdown steps are 'consumer' then 'producer'. */
export async function startSinkConsumer(options: SinkAppOptions): Promise<ConsumerRunner> {
  const { app, config, service, writer, metrics } = options;
  const { logger, registry, progress, readiness, shutdown } = service;
  const { kafka, serde } = await connectKafka(config, logger, { clientId: app, provision: CATALOG });
  const kafkaMetrics = KafkaMetrics.of(registry);
  const producer = new TopicProducer(kafka, serde, kafkaMetrics, logger);
  await producer.connect();

  progress.register('consumer', PROGRESS_TIMEOUT_MS);
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
      metrics,
      kafkaMetrics,
      producer,
      serde,
      logger,
      topicPrefix: config.TOPIC_PREFIX,
    }),
  });
  readiness.add('consumer', () => runner.isRunning);
  shutdown.add('consumer', () => runner.stop());
  shutdown.add('producer', () => producer.disconnect());
  await runner.start();
  return runner;
}
