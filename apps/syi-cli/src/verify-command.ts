// `syi verify --from T --to T [--recompute N]`: reads syi.calculated in [from, to] (and the
// record before it) from Kafka, checks digests and prevDigest links, and recomputes N records
// from the input topics. Environment: KAFKA_BROKERS, SCHEMA_REGISTRY_URL, TOPIC_PREFIX.
import type { Writable } from 'node:stream';
import pino from 'pino';
import { kafkaSchema, loadConfig, logLevel, z } from '@stableyield/config';
import { INPUT_TOPICS } from '@stableyield/index-engine';
import { createKafka, DLQ_HEADERS, dlqTopicOf, prefixedTopic, readDeadLetterHeaders, readPartitionRanges, TopicSerde, type Kafka } from '@stableyield/kafka';
import { createRegistryClient, type SyiRecord } from '@stableyield/schemas';
import type { VerifyCommand } from './args';
import { recomputeRecords, sampleTimes, verifyRange, type StoredInput } from '@stableyield/stream';


const GRID_STEP_MS = 1000;

const verifyConfig = z.object({
  KAFKA_BROKERS: kafkaSchema.KAFKA_BROKERS,
  SCHEMA_REGISTRY_URL: kafkaSchema.SCHEMA_REGISTRY_URL,
  TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]*$/, 'letters, digits, . _ - only').default(''),
  LOG_LEVEL: logLevel.default('warn'),
});

/** [low, high) of every partition of a topic. */
async function rangesOf(kafka: Kafka, topic: string): Promise<Map<number, { from: number; end: number }>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, { from: Number(p.low), end: Number(p.high) }]));
  } finally {
    await admin.disconnect();
  }
}

/** Every committed record of a whole topic, per partition. */
async function readAll(kafka: Kafka, topic: string) {
  return readPartitionRanges(kafka, topic, await rangesOf(kafka, topic));
}

/** Offset of the first record with timestamp ≥ ts on partition 0 (records carry T as timestamp). */
async function offsetAt(kafka: Kafka, topic: string, ts: number): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [p0] = await admin.fetchTopicOffsetsByTimestamp(topic, ts);
    return Number(p0?.offset ?? 0);
  } finally {
    await admin.disconnect();
  }
}

export async function runVerify(command: VerifyCommand, out: Writable): Promise<boolean> {
  const config = loadConfig(verifyConfig);
  const logger = pino({ level: config.LOG_LEVEL }, process.stderr);
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'syi-verify' }, logger);
  const serde = new TopicSerde(createRegistryClient(config.SCHEMA_REGISTRY_URL));
  const prefix = config.TOPIC_PREFIX;
  const outputTopic = prefixedTopic(prefix, 'syi.calculated');

  const output = (await rangesOf(kafka, outputTopic)).get(0);
  if (output === undefined) throw new Error(`${outputTopic} has no partition 0`);
  const start = Math.max(output.from, (await offsetAt(kafka, outputTopic, command.from)) - 1);
  const messages = (await readPartitionRanges(kafka, outputTopic, new Map([[0, { from: start, end: output.end }]]))).get(0) ?? [];
  const decoded: SyiRecord[] = [];
  for (const m of messages) if (m.value !== null) decoded.push(await serde.deserialize('syi.calculated', m.value));
  const before = decoded.filter((r) => r.ts < command.from);
  const records = decoded.filter((r) => r.ts >= command.from && r.ts <= command.to);
  // the record before the range is the one the first record must link to (unknown when the range starts the topic)
  const prevOfFirst = before.length > 0 ? (before[before.length - 1] as SyiRecord).digest : start === 0 ? null : undefined;

  let recomputed: Map<number, SyiRecord> | null = null;
  const asked = sampleTimes(records, command.recompute);
  if (asked.length > 0) {
    const inputs: StoredInput[] = [];
    const late = new Set<string>();
    for (const topic of INPUT_TOPICS) {
      const physical = prefixedTopic(prefix, topic);
      for (const [partition, messages] of await readAll(kafka, physical)) {
        for (const m of messages) {
          if (m.value === null) continue;
          try {
            inputs.push({ topic, partition, offset: Number(m.offset), value: await serde.deserialize(topic, m.value) });
          } catch {
            // undecodable: the processor dead-letters it too
          }
        }
      }
      for (const messages of (await readAll(kafka, dlqTopicOf(physical))).values()) {
        for (const m of messages) {
          const h = readDeadLetterHeaders(m.headers);
          // only processor-syi's late letters: the per-symbol processors dead-letter by their own grid
          const bySyi = !/^processor-(peg|liquidity|ray): /.test(h[DLQ_HEADERS.reason] ?? '');
          if (h[DLQ_HEADERS.kind] === 'late' && bySyi) late.add(`${topic}/${h[DLQ_HEADERS.sourcePartition] ?? ''}/${h[DLQ_HEADERS.sourceOffset] ?? ''}`);
        }
      }
    }
    recomputed = recomputeRecords(inputs, asked, GRID_STEP_MS, late);
  }

  const report = verifyRange(records, prevOfFirst, recomputed, asked);
  const ok = report.records > 0 && report.chainProblems.length === 0 && report.recomputeProblems.length === 0;
  const iso = (t: number | null) => (t === null ? '-' : new Date(t).toISOString());
  out.write(`syi verify ${outputTopic} ${iso(command.from)} … ${iso(command.to)}\n`);
  out.write(`  records checked: ${report.records} (${iso(report.from)} … ${iso(report.to)})\n`);
  out.write(`  chain: ${report.chainProblems.length === 0 ? 'OK' : `${report.chainProblems.length} problem(s)`}${prevOfFirst === undefined ? ' (link of the first record not checked: the record before it is gone)' : ''}\n`);
  for (const p of report.chainProblems.slice(0, 20)) out.write(`    ${iso(p.ts)}: ${p.problem}\n`);
  out.write(`  recomputed from inputs: ${report.recomputed}, ${report.recomputeProblems.length === 0 ? 'all equal' : `${report.recomputeProblems.length} problem(s)`}\n`);
  for (const p of report.recomputeProblems.slice(0, 20)) out.write(`    ${iso(p.ts)}: ${p.problem}\n`);
  if (report.records === 0) out.write('  no record in the range\n');
  out.write(ok ? 'OK\n' : 'FAILED\n');
  return ok;
}
