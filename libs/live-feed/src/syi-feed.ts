import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { TopicFollower, type Kafka, type KafkaMetrics, type TopicSerde } from '@stableyield/kafka';
import type { LatestSyi } from './latest';

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
