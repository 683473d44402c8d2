// Admin look-ups for tools (`syi verify`): each connects an admin client for the one call and always
// disconnects it, so callers never hold kafkajs's Admin themselves.
import { type Admin, type Kafka } from 'kafkajs';

async function withAdmin<T>(kafka: Kafka, use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

/** [low, high) of every partition of a topic, in the form readPartitionRanges takes. */
export function topicOffsetRanges(kafka: Kafka, topic: string): Promise<Map<number, { from: number; end: number }>> {
  return withAdmin(kafka, async (admin) => {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((p) => [p.partition, { from: Number(p.low), end: Number(p.high) }]));
  });
}

/** Offset of the first record with timestamp >= ts on partition 0 (its end when there is none). */
export function offsetAtTimestamp(kafka: Kafka, topic: string, ts: number): Promise<number> {
  return withAdmin(kafka, async (admin) => {
    const [p0] = await admin.fetchTopicOffsetsByTimestamp(topic, ts);
    return Number(p0?.offset ?? 0);
  });
}
