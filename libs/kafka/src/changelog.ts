import { randomUUID } from 'node:crypto';
import type { Batch, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { partitionOffsets } from './admin';

/**
 * The last committed record of one partition of a changelog topic (null when it has none), read
 * read_committed. Only the tail is read: a window before the end offset, widened until a record
 * is found. Call it after the processor's transactional producer has connected, which aborts a
 * predecessor's open transaction so the end of the log becomes stable.
 */
export async function readLatestRecord(
  kafka: Kafka,
  logger: Logger,
  topic: string,
  {
    partition = 0,
    timeoutMs = 30_000,
    groupPrefix,
  }: {
    partition?: number;
    timeoutMs?: number;
    /** the reading group's name starts with it (a principal's ACLs allow its own prefixes only) */
    groupPrefix: string;
  },
): Promise<KafkaMessage | null> {
  const offsets = (await partitionOffsets(kafka, topic)).find((o) => o.partition === partition);
  if (offsets === undefined) throw new Error(`topic ${topic} has no partition ${partition}`);
  const { low, high } = offsets;
  for (let window = 16; ; window *= 16) {
    const from = Math.max(low, high - window);
    const found = await readRange(kafka, topic, partition, { from, end: high }, timeoutMs, groupPrefix);
    if (found !== null || from === low) {
      logger.info({ topic, partition, from, high, found: found !== null }, 'changelog_read');
      return found;
    }
  }
}

/** The last record in [from, end) of one partition. */
async function readRange(
  kafka: Kafka,
  topic: string,
  partition: number,
  { from, end }: { from: number; end: number },
  timeoutMs: number,
  groupPrefix: string,
): Promise<KafkaMessage | null> {
  let last: KafkaMessage | null = null;
  await consumeRanges(kafka, topic, new Map([[partition, { from, end }]]), timeoutMs, groupPrefix, (batch) => {
    const m = batch.messages[batch.messages.length - 1];
    if (m !== undefined && Number(m.offset) < end) last = m;
  });
  return last;
}

/**
 * Every committed record of the given partitions of a topic in [from, end) per partition,
 * read_committed, in offset order (for tools such as `syi verify`).
 */
export async function readPartitionRanges(
  kafka: Kafka,
  topic: string,
  ranges: ReadonlyMap<number, { from: number; end: number }>,
  { groupPrefix, timeoutMs = 120_000 }: { groupPrefix: string; timeoutMs?: number },
): Promise<Map<number, KafkaMessage[]>> {
  const out = new Map<number, KafkaMessage[]>([...ranges.keys()].map((partition) => [partition, []]));
  await consumeRanges(kafka, topic, ranges, timeoutMs, groupPrefix, (batch) => {
    const range = ranges.get(batch.partition);
    const list = out.get(batch.partition);
    if (range !== undefined && list !== undefined)
      for (const m of batch.messages) if (Number(m.offset) >= range.from && Number(m.offset) < range.end) list.push(m);
  });
  return out;
}

/**
 * Reads [from, end) of each given partition read_committed with a group of its own (deleted after), handing every
 * batch of those partitions to `onBatch`; returns once each range is read, fails after `timeoutMs`.
 */
async function consumeRanges(
  kafka: Kafka,
  topic: string,
  ranges: ReadonlyMap<number, { from: number; end: number }>,
  timeoutMs: number,
  groupPrefix: string,
  onBatch: (batch: Batch) => void,
): Promise<void> {
  const open = new Set([...ranges].filter(([, { from, end }]) => from < end).map(([partition]) => partition));
  if (open.size === 0) return;
  const groupId = `${groupPrefix}-${randomUUID().slice(0, 8)}`;
  const admin = kafka.admin();
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 100 });
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  try {
    await admin.connect();
    // a principal's ACLs allow only groups under its prefix: a refusal is thrown from here
    await admin.setOffsets({
      groupId,
      topic,
      partitions: [...ranges].map(([partition, { from }]) => ({ partition, offset: String(from) })),
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    // Batches of only control records or aborted data never reach eachBatch; their end does.
    consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
      const range = ranges.get(e.payload.partition);
      if (
        range !== undefined &&
        Number(e.payload.lastOffset) + 1 >= range.end &&
        open.delete(e.payload.partition) &&
        open.size === 0
      )
        finish();
    });
    await consumer.run({
      autoCommit: false,
      eachBatch: ({ batch }) => {
        if (ranges.has(batch.partition)) onBatch(batch); // not other shards' checkpoints
        return Promise.resolve();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      const unread = () => [...open].map((p) => `${p} up to offset ${ranges.get(p)?.end}`).join(', ');
      timer = setTimeout(() => reject(new Error(`timed out reading ${topic} partition ${unread()}`)), timeoutMs);
    });
    try {
      await Promise.race([done, timeout]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}
