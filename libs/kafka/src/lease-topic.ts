import type { TopicSpec } from './catalog';

/** The topic of a lease's consumer group (Lease, ShardLease): one partition per role it hands out, no data kept. */
export function leaseTopicSpec(name: string, partitions: number): TopicSpec {
  return { name, key: 'none (group membership only)', partitions, cleanupPolicy: 'delete', retentionMs: 3_600_000 };
}
