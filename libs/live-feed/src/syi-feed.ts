import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import {
  CATALOG,
  connectKafka,
  KafkaMetrics,
  TopicFollower,
  type Kafka,
  type KafkaAppConfig,
  type TopicSerde,
} from '@stableyield/kafka';
import type { Service } from '@stableyield/observability';
import { LatestSyi } from './latest';

export interface SyiFeedDeps {
  kafka: Kafka;
  serde: TopicSerde;
  logger: Logger;
  latest: LatestSyi;
  /** Unique to this instance: every instance must read every record. */
  groupId: string;
  metrics?: KafkaMetrics;
  onProgress?: () => void;
  /** Another topic of the same schema (tests use prefixed copies); default `syi.calculated`. */
  topic?: string;
}

/** A consumer group id of this process alone, e.g. `api-host-1a2b3c4d`. */
export const instanceGroupId = (app: string): string => `${app}-${hostname()}-${randomUUID().slice(0, 8)}`;

/** Follows `syi.calculated` into `latest`; `start()` resolves once the newest record is loaded. */
export function createSyiFeed(deps: SyiFeedDeps): TopicFollower<'syi.calculated'> {
  return new TopicFollower({
    kafka: deps.kafka,
    serde: deps.serde,
    logger: deps.logger,
    // A prefixed copy carries the same Avro values; the catalog name types them.
    topic: (deps.topic ?? 'syi.calculated') as 'syi.calculated',
    groupId: deps.groupId,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
    onRecords: (records) => {
      for (const r of records) deps.latest.offer(r.value);
    },
  });
}

/** The variables of `kafkaSchema` a serving app's feed reads. */
export interface ServingFeedConfig extends KafkaAppConfig {
  readonly TOPIC_PREFIX: string;
}

/** A consumer that made no progress for this long fails /health. */
const PROGRESS_TIMEOUT_MS = 60_000;

/**
 * What an API or stream instance serves from: Kafka connected (the catalog provisioned when
 * PROVISION_TOPICS, the schemas registered), the prefixed `syi.calculated` followed by a group of
 * its own into `latest`, a progress beat and the readiness check 'latest_index'. The app starts the
 * feed once it is wired (`feed.start()` loads the newest record) and stops it in its shutdown.
 */
export async function connectSyiFeed(
  app: string,
  config: ServingFeedConfig,
  service: Pick<Service, 'logger' | 'registry' | 'progress' | 'readiness'>,
): Promise<{ feed: TopicFollower<'syi.calculated'>; latest: LatestSyi }> {
  const { logger, registry, progress, readiness } = service;
  const { kafka, serde } = await connectKafka(config, logger, { clientId: app, provision: CATALOG });
  const latest = new LatestSyi();
  progress.register('consumer', PROGRESS_TIMEOUT_MS);
  const feed = createSyiFeed({
    kafka,
    serde,
    logger,
    latest,
    groupId: instanceGroupId(app),
    topic: `${config.TOPIC_PREFIX}syi.calculated`,
    metrics: KafkaMetrics.of(registry),
    onProgress: () => progress.beat('consumer'),
  });
  readiness.add('latest_index', () => feed.caughtUp);
  return { feed, latest };
}
