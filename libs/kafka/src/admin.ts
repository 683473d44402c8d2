// Admin look-ups: each connects an admin client for the one call and always disconnects it, so
// callers never hold kafkajs's Admin themselves.
import { type Admin, type Kafka } from 'kafkajs';

/** How long a look-up keeps trying through a retriable error (a leader moving, a broker restarting). */
const RETRY_FOR_MS = 30_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const isRetriable = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { retriable?: unknown }).retriable === true;

/**
 * Runs `use` on a fresh admin client, again on a retriable error until `RETRY_FOR_MS` has passed.
 * kafkajs's offset look-ups give up at once on "This server is not the leader for that
 * topic-partition", keeping the metadata that sent them there; a new client reads fresh metadata.
 */
async function withAdmin<T>(kafka: Kafka, use: (admin: Admin) => Promise<T>): Promise<T> {
  const deadline = Date.now() + RETRY_FOR_MS;
  for (let attempt = 0; ; attempt++) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      return await use(admin);
    } catch (err) {
      if (!isRetriable(err) || Date.now() > deadline) throw err;
    } finally {
      await admin.disconnect();
    }
    await sleep(Math.min(2_000, 100 * 2 ** attempt));
  }
}

export interface PartitionOffsets {
  partition: number;
  /** first offset still in the log */
  low: number;
  /** the end: the offset the next record will get */
  high: number;
}

/** Low and high offsets of every partition of a topic. */
export async function partitionOffsets(kafka: Kafka, topic: string): Promise<PartitionOffsets[]> {
  return (await topicsPartitionOffsets(kafka, [topic])).get(topic)!;
}

/** Low and high offsets of every partition of each topic, through one admin client. */
export function topicsPartitionOffsets(
  kafka: Kafka,
  topics: readonly string[],
): Promise<Map<string, PartitionOffsets[]>> {
  return withAdmin(kafka, async (admin) => {
    const out = new Map<string, PartitionOffsets[]>();
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic);
      out.set(
        topic,
        offsets.map((p) => ({ partition: p.partition, low: Number(p.low), high: Number(p.high) })),
      );
    }
    return out;
  });
}

/** [low, high) of every partition of a topic, in the form readPartitionRanges takes. */
export async function topicOffsetRanges(
  kafka: Kafka,
  topic: string,
): Promise<Map<number, { from: number; end: number }>> {
  const offsets = await partitionOffsets(kafka, topic);
  return new Map(offsets.map((p) => [p.partition, { from: p.low, end: p.high }]));
}

/** Offset of the first record with timestamp >= ts on partition 0 (its end when there is none). */
export function offsetAtTimestamp(kafka: Kafka, topic: string, ts: number): Promise<number> {
  return withAdmin(kafka, async (admin) => {
    const [p0] = await admin.fetchTopicOffsetsByTimestamp(topic, ts);
    return Number(p0?.offset ?? 0);
  });
}
