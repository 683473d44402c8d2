// The sinks' consumer settings from their variables (libs/config sinkConsumerSchema): one mapping for
// sink-timescale and sink-clickhouse.
import type { DataTopic } from '@stableyield/schemas';
import type { ConsumerBaseOptions } from './consumer';

export interface SinkConsumerConfig {
  readonly SINK_GROUP_ID: string;
  readonly TOPIC_PREFIX: string;
  readonly RETRY_MAX_MS: number;
  readonly FLUSH_INTERVAL_MS: number;
  readonly FETCH_MIN_BYTES: number;
  readonly FETCH_MAX_BYTES_PER_PARTITION: number;
  readonly PARTITIONS_CONCURRENTLY: number;
}

type SinkConsumerOptions = Pick<
  ConsumerBaseOptions,
  'groupId' | 'topics' | 'retry' | 'fetch' | 'partitionsConcurrently'
>;

/** Group, topics, retries of a failed batch and batching by age and size of a sink reading `topics`. */
export function sinkConsumerOptions(config: SinkConsumerConfig, topics: readonly DataTopic[]): SinkConsumerOptions {
  return {
    groupId: config.SINK_GROUP_ID,
    // Prefixed names are the catalog topics' test copies; the values have the same schemas.
    topics: topics.map((t) => `${config.TOPIC_PREFIX}${t}` as DataTopic),
    retry: { initialMs: 200, maxMs: config.RETRY_MAX_MS },
    fetch: {
      minBytes: config.FETCH_MIN_BYTES,
      maxWaitMs: config.FLUSH_INTERVAL_MS,
      maxBytesPerPartition: config.FETCH_MAX_BYTES_PER_PARTITION,
    },
    partitionsConcurrently: config.PARTITIONS_CONCURRENTLY,
  };
}
