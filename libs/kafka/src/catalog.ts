/** The topic catalog of ARCHITECTURE.md as code. Replication comes from configuration (3 in production). */
export interface TopicSpec {
  name: string;
  /** What the record key is, for people reading the catalog. */
  key: string;
  partitions: number;
  cleanupPolicy: 'delete' | 'compact' | 'compact,delete';
  retentionMs: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const DATA_TOPICS: readonly TopicSpec[] = Object.freeze([
  { name: 'pyth.updates', key: 'hermes', partitions: 1, cleanupPolicy: 'delete', retentionMs: 7 * DAY },
  { name: 'pyth.prices', key: 'feed id', partitions: 12, cleanupPolicy: 'delete', retentionMs: 7 * DAY },
  { name: 'cc.prices', key: 'SYMBOL-venue', partitions: 12, cleanupPolicy: 'compact,delete', retentionMs: 7 * DAY },
  { name: 'cc.orderbook', key: 'SYMBOL-venue', partitions: 12, cleanupPolicy: 'delete', retentionMs: DAY },
  { name: 'dl.apy', key: 'pool id', partitions: 6, cleanupPolicy: 'compact', retentionMs: 30 * DAY },
  { name: 'ex.mktcap', key: 'symbol', partitions: 3, cleanupPolicy: 'compact', retentionMs: 30 * DAY },
  { name: 'trad.tbill', key: 'yield-3m', partitions: 1, cleanupPolicy: 'compact', retentionMs: 365 * DAY },
  { name: 'syi.peg', key: 'symbol', partitions: 6, cleanupPolicy: 'delete', retentionMs: 90 * DAY },
  { name: 'syi.liquidity', key: 'symbol', partitions: 6, cleanupPolicy: 'delete', retentionMs: 90 * DAY },
  { name: 'ray.calculated', key: 'symbol', partitions: 6, cleanupPolicy: 'delete', retentionMs: 90 * DAY },
  { name: 'syi.calculated', key: 'SYI', partitions: 1, cleanupPolicy: 'delete', retentionMs: 365 * DAY },
]);

export const dlqTopicOf = (topic: string) => `${topic}.dlq`;

/** Every data topic has a dead-letter topic: bad input plus the reason, kept 30 days. */
export const DLQ_TOPICS: readonly TopicSpec[] = Object.freeze(
  DATA_TOPICS.map((t) => ({ name: dlqTopicOf(t.name), key: 'as source', partitions: 1, cleanupPolicy: 'delete' as const, retentionMs: 30 * DAY })),
);

export const CATALOG: readonly TopicSpec[] = Object.freeze([...DATA_TOPICS, ...DLQ_TOPICS]);

export function topicSpec(name: string): TopicSpec {
  const spec = CATALOG.find((t) => t.name === name);
  if (!spec) throw new Error(`unknown topic "${name}": not in the catalog`);
  return spec;
}

/** Broker-side configuration entries of a topic. */
export function topicConfigEntries(spec: TopicSpec, replicationFactor: number): { name: string; value: string }[] {
  return [
    { name: 'cleanup.policy', value: spec.cleanupPolicy },
    { name: 'retention.ms', value: String(spec.retentionMs) },
    // With RF 3, acks=all survives one broker down while refusing writes that only one copy would hold.
    { name: 'min.insync.replicas', value: String(Math.min(2, replicationFactor)) },
  ];
}
