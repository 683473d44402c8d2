import { ConfigResourceTypes, type Admin, type ITopicConfig, type Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { CATALOG, topicConfigEntries, type TopicSpec } from './catalog';

export interface ProvisionResult {
  created: string[];
  existing: string[];
  partitionsAdded: string[];
  /** existing topics whose cleanup policy or retention differed from the catalog, now set to it */
  reconfigured: string[];
}

/**
 * Creates the missing topics of the catalog, grows partition counts that are too low and sets
 * the catalog's cleanup policy and retention on existing topics that have others (e.g. inputs
 * created compacted by an older catalog). Idempotent: run it at every deploy. (Partitions are
 * never reduced; Kafka cannot.)
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
      await createTopicsWithLeaders(admin, {
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
    const reconfigured = await alignTopicConfigs(admin, existing, options.replicationFactor);
    const result = {
      created: missing.map((t) => t.name),
      existing: existing.map((t) => t.name),
      partitionsAdded,
      reconfigured,
    };
    logger.info(
      { created: result.created.length, existing: result.existing.length, partitionsAdded, reconfigured },
      'topics_provisioned',
    );
    return result;
  } finally {
    await admin.disconnect();
  }
}

/** Sets the catalog's configuration on the topics whose cleanup policy or retention differ; returns their names. */
async function alignTopicConfigs(
  admin: Admin,
  topics: readonly TopicSpec[],
  replicationFactor: number,
): Promise<string[]> {
  if (topics.length === 0) return [];
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((t) => ({
      type: ConfigResourceTypes.TOPIC,
      name: t.name,
      configNames: ['cleanup.policy', 'retention.ms'],
    })),
  });
  const differ = topics.filter((t) => {
    const entries = described.resources.find((r) => r.resourceName === t.name)?.configEntries ?? [];
    const value = (name: string) => entries.find((e) => e.configName === name)?.configValue;
    return value('cleanup.policy') !== t.cleanupPolicy || value('retention.ms') !== String(t.retentionMs);
  });
  if (differ.length > 0) {
    await admin.alterConfigs({
      validateOnly: false,
      resources: differ.map((t) => ({
        type: ConfigResourceTypes.TOPIC,
        name: t.name,
        configEntries: topicConfigEntries(t, replicationFactor),
      })),
    });
  }
  return differ.map((t) => t.name);
}

/**
 * createTopics, then waits until every partition of the new topics has a leader. kafkajs's own
 * `waitForLeaders` gives up on the first "This server does not host this topic-partition" a
 * loaded broker answers while it is still creating them; here that answer means "not yet".
 */
export async function createTopicsWithLeaders(
  admin: Admin,
  options: { topics: ITopicConfig[] },
  timeoutMs = 60_000,
): Promise<void> {
  await admin.createTopics({ waitForLeaders: false, topics: options.topics });
  const names = options.topics.map((t) => t.topic);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: names });
      const ready = names.every((name) => {
        const found = topics.find((t) => t.name === name);
        return found !== undefined && found.partitions.length > 0 && found.partitions.every((p) => p.leader >= 0);
      });
      if (ready) return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`topics without leaders after ${timeoutMs} ms: ${names.join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
