/** The topic catalog of ARCHITECTURE.md as code. Replication comes from configuration (3 in production). */
export interface TopicSpec {
  name: string;
  /** What the record key is, for people reading the catalog. */
  key: string;
  partitions: number;
  cleanupPolicy: 'delete' | 'compact' | 'compact,delete';
  retentionMs: number;
  /** Further broker-side settings (e.g. segment.ms of a changelog topic). */
  extraConfig?: Readonly<Record<string, string>>;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * How far back `syi verify` and the auditor must be able to recompute the index exactly from the
 * input topics. Each input topic keeps every record (cleanup `delete`, never `compact`: compaction
 * drops the older values the 24 h peg window and restored states were built from) for its longest
 * look-back in the methodology plus this horizon: prices, books, pools and market caps 1 day + 7,
 * the T-bill (fresh for 7 days) 7 + 7. libs/stream's retention test checks it against the parameters.
 */
export const VERIFICATION_HORIZON_MS = 7 * DAY;

export const DATA_TOPICS: readonly TopicSpec[] = Object.freeze([
  { name: 'pyth.updates', key: 'hermes', partitions: 1, cleanupPolicy: 'delete', retentionMs: 7 * DAY },
  {
    name: 'pyth.prices',
    key: 'feed id',
    partitions: 12,
    cleanupPolicy: 'delete',
    retentionMs: DAY + VERIFICATION_HORIZON_MS,
  },
  {
    name: 'cc.prices',
    key: 'SYMBOL-venue',
    partitions: 12,
    cleanupPolicy: 'delete',
    retentionMs: DAY + VERIFICATION_HORIZON_MS,
  },
  {
    name: 'cc.orderbook',
    key: 'SYMBOL-venue',
    partitions: 12,
    cleanupPolicy: 'delete',
    retentionMs: DAY + VERIFICATION_HORIZON_MS,
  },
  {
    name: 'dl.apy',
    key: 'pool id',
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: DAY + VERIFICATION_HORIZON_MS,
  },
  {
    name: 'ex.mktcap',
    key: 'symbol',
    partitions: 3,
    cleanupPolicy: 'delete',
    retentionMs: DAY + VERIFICATION_HORIZON_MS,
  },
  {
    name: 'trad.tbill',
    key: 'yield-3m',
    partitions: 1,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY + VERIFICATION_HORIZON_MS,
  },
  { name: 'syi.peg', key: 'symbol', partitions: 6, cleanupPolicy: 'delete', retentionMs: 90 * DAY },
  { name: 'syi.liquidity', key: 'symbol', partitions: 6, cleanupPolicy: 'delete', retentionMs: 90 * DAY },
  { name: 'ray.calculated', key: 'symbol', partitions: 6, cleanupPolicy: 'delete', retentionMs: 90 * DAY },
  { name: 'syi.calculated', key: 'SYI', partitions: 1, cleanupPolicy: 'delete', retentionMs: 365 * DAY },
]);

export const dlqTopicOf = (topic: string) => `${topic}.dlq`;

/** Every data topic has a dead-letter topic: bad input plus the reason, kept 30 days. */
export const DLQ_TOPICS: readonly TopicSpec[] = Object.freeze(
  DATA_TOPICS.map((t) => ({
    name: dlqTopicOf(t.name),
    key: 'as source',
    partitions: 1,
    cleanupPolicy: 'delete' as const,
    retentionMs: 30 * DAY,
  })),
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
    ...Object.entries(spec.extraConfig ?? {}).map(([name, value]) => ({ name, value })),
  ];
}

/** A topic name under a prefix ('' in production; tests isolate their runs with e.g. "test-ab12."). */
export const prefixedTopic = (prefix: string, topic: string) => `${prefix}${topic}`;

/** The specs under a prefix: the same topics, renamed. */
export function prefixedSpecs(prefix: string, specs: readonly TopicSpec[] = CATALOG): TopicSpec[] {
  return specs.map((t) => ({ ...t, name: prefixedTopic(prefix, t.name) }));
}

/**
 * A processor's state changelog: one partition, compacted (latest checkpoint per key), small
 * segments so compaction keeps it short, and large records allowed (a checkpoint is ~100 KB+).
 */
export function changelogTopicSpec(name: string, partitions = 1): TopicSpec {
  return {
    name,
    key: partitions === 1 ? 'processor' : 'shard (partition = shard)',
    partitions,
    cleanupPolicy: 'compact',
    retentionMs: 7 * DAY,
    extraConfig: {
      'segment.ms': String(10 * 60_000),
      'segment.bytes': String(64 * 1024 * 1024),
      'min.cleanable.dirty.ratio': '0.1',
      'max.message.bytes': String(16 * 1024 * 1024),
    },
  };
}
