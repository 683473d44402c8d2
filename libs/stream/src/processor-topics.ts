// The topics each processor owns beside the catalog: its state changelog (checkpoints, compacted)
// and its lease (group membership only; a partition per shard). The processors create them where
// they provision (PROVISION_TOPICS); Kubernetes gets them as KafkaTopics from this same list.
import { leaseTopicSpec, prefixedTopic, type TopicSpec } from '@stableyield/kafka';
import { MEASURE_SHARDS, measureChangelogSpec, type MeasureKind } from './measure-processor';
import { SyiProcessor } from './syi-processor';

export const PROCESSOR_APPS = ['processor-syi', 'processor-peg', 'processor-liquidity', 'processor-ray'] as const;
export type ProcessorApp = (typeof PROCESSOR_APPS)[number];

export interface ProcessorOwnTopics {
  readonly changelog: TopicSpec;
  readonly lease: TopicSpec;
}

/** A processor's changelog and lease topics under `prefix` ('' in production). */
export function processorOwnTopics(app: ProcessorApp, prefix: string): ProcessorOwnTopics {
  const lease = (partitions: number) => leaseTopicSpec(prefixedTopic(prefix, `${app}.lease`), partitions);
  if (app === 'processor-syi') return { changelog: SyiProcessor.changelogSpec(prefix), lease: lease(1) };
  const kind = app.slice('processor-'.length) as MeasureKind;
  return { changelog: measureChangelogSpec(kind, prefix), lease: lease(MEASURE_SHARDS) };
}

/** Every processor's own topics, for those who make the topics apart (Kubernetes, the system tests). */
export function processorStateTopics(prefix = ''): TopicSpec[] {
  return PROCESSOR_APPS.flatMap((app) => {
    const { changelog, lease } = processorOwnTopics(app, prefix);
    return [changelog, lease];
  });
}
