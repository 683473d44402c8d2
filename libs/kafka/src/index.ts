export {
  CATALOG,
  DATA_TOPICS,
  DLQ_TOPICS,
  dlqTopicOf,
  topicConfigEntries,
  topicSpec,
  VERIFICATION_HORIZON_MS,
  type TopicSpec,
} from './catalog';
export { createKafka, type Kafka, type KafkaSettings } from './client';
export { kafkaSettingsOf, type KafkaConnectionConfig } from './connection';
export { connectKafka, type ConnectKafkaOptions, type KafkaAppConfig, type KafkaConnection } from './connect';
export { leaseTopicSpec } from './lease-topic';
export { sinkConsumerOptions, type SinkConsumerConfig } from './sink-consumer';
export { APP_ACCESS, aclRules, appAccess, kafkaAcl, type AclRule, type AppAccess } from './access';
export { createTopicsWithLeaders, provisionTopics, type ProvisionResult } from './provision';
export {
  TopicSerde,
  SerializationError,
  DeserializationError,
  RegistryUnavailableError,
  isTransientRegistryError,
} from './serde';
export { retryWhileRegistryUnavailable, type RegistryRetryOptions } from './registry-retry';
export { TopicProducer, type OutgoingRecord, type RawRecord } from './producer';
export { KafkaMetrics } from './metrics';
export {
  DLQ_HEADERS,
  MAX_DEAD_LETTER_VALUE_BYTES,
  deadLetterRecord,
  readDeadLetterHeaders,
  truncatePayload,
  type DeadLetter,
  type DeadLetterKind,
} from './dlq';
export {
  ConsumerRunner,
  TransactionalRunner,
  TransactionOutput,
  decodeBatch,
  type BatchInfo,
  type ConsumedRecord,
  type ConsumerRunnerOptions,
  type TransactionalRunnerOptions,
  type RetryPolicy,
} from './consumer';
export { TopicFollower, type TopicFollowerOptions } from './follow';
export { changelogTopicSpec, prefixedSpecs, prefixedTopic } from './catalog';
export { PartitionReader, type PartitionBatch, type PartitionReaderOptions } from './reader';
export { readLatestRecord, readPartitionRanges } from './changelog';
export { offsetAtTimestamp, partitionOffsets, topicOffsetRanges, type PartitionOffsets } from './admin';
export { Lease, ShardLease, type LeaseOptions, type ShardLeaseOptions } from './lease';
export { ActiveStandby, type ActiveStandbyOptions, type StandDownOn } from './standby';
export { partitionForKey, sendPerPartition } from './partitioning';
