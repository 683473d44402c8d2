import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { CATALOG, topicConfigEntries, type TopicSpec } from './catalog';

export interface ProvisionResult {
  created: string[];
  existing: string[];
  partitionsAdded: string[];
}

/**
 * Creates the missing topics of the catalog and grows partition counts that are too low.
 * Idempotent: run it at every deploy. (Partitions are never reduced; Kafka cannot.)
 */
export async function provisionTopics(
  kafka: Kafka,
  logger: Logger,
  options: { replicationFactor: number; topics?: readonly TopicSpec[] },
): Promise<ProvisionResult> {
  const topics = options.topics ?? CATALOG;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const present = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !present.has(t.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: options.replicationFactor,
          configEntries: topicConfigEntries(t, options.replicationFactor),
        })),
      });
    }
    const existing = topics.filter((t) => present.has(t.name));
    const partitionsAdded: string[] = [];
    if (existing.length > 0) {
      const metadata = await admin.fetchTopicMetadata({ topics: existing.map((t) => t.name) });
      const grow = existing.filter((t) => {
        const found = metadata.topics.find((m) => m.name === t.name);
        return found !== undefined && found.partitions.length < t.partitions;
      });
      if (grow.length > 0) {
        await admin.createPartitions({ topicPartitions: grow.map((t) => ({ topic: t.name, count: t.partitions })) });
        partitionsAdded.push(...grow.map((t) => t.name));
      }
    }
    const result = { created: missing.map((t) => t.name), existing: existing.map((t) => t.name), partitionsAdded };
    logger.info({ created: result.created.length, existing: result.existing.length, partitionsAdded }, 'topics_provisioned');
    return result;
  } finally {
    await admin.disconnect();
  }
}
