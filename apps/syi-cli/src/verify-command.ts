// `syi verify --from T --to T [--recompute N]`: reads syi.calculated in [from, to] (and the
// record before it) from Kafka, checks digests and prevDigest links, and recomputes N records
// from the input topics. Environment: KAFKA_BROKERS, SCHEMA_REGISTRY_URL, TOPIC_PREFIX and
// GRID_INTERVAL_MS (the processor's grid step: every published T must lie on it).
import type { Writable } from 'node:stream';
import pino from 'pino';
import { eventTimeSchema, kafkaSchema, loadConfig, logLevel, topicPrefix, z } from '@stableyield/config';
import { INPUT_TOPICS } from '@stableyield/index-engine';
import {
  createKafka,
  kafkaSettingsOf,
  DeserializationError,
  DLQ_HEADERS,
  dlqTopicOf,
  offsetAtTimestamp,
  prefixedTopic,
  readDeadLetterHeaders,
  readPartitionRanges,
  retryWhileRegistryUnavailable,
  TopicSerde,
  topicOffsetRanges,
  type Kafka,
} from '@stableyield/kafka';
import { createRegistryClient, type SyiRecord } from '@stableyield/schemas';
import type { VerifyCommand } from './args';
import {
  inputId,
  recomputeRecords,
  reproducibleFrom,
  sampleTimes,
  SYI_PROCESSOR,
  verifyRange,
  type RetainedPartition,
  type StoredInput,
} from '@stableyield/stream';

const verifyConfig = z.object({
  KAFKA_BROKERS: kafkaSchema.KAFKA_BROKERS,
  // a secured cluster: the operator's own principal (it reads the inputs and syi.calculated)
  KAFKA_SASL_MECHANISM: kafkaSchema.KAFKA_SASL_MECHANISM,
  KAFKA_SASL_USERNAME: kafkaSchema.KAFKA_SASL_USERNAME,
  KAFKA_SASL_PASSWORD: kafkaSchema.KAFKA_SASL_PASSWORD,
  KAFKA_TLS: kafkaSchema.KAFKA_TLS,
  KAFKA_TLS_CA_FILE: kafkaSchema.KAFKA_TLS_CA_FILE,
  SCHEMA_REGISTRY_URL: kafkaSchema.SCHEMA_REGISTRY_URL,
  TOPIC_PREFIX: topicPrefix,
  GRID_INTERVAL_MS: eventTimeSchema.GRID_INTERVAL_MS,
  LOG_LEVEL: logLevel.default('warn'),
});

/** Its reading groups: under the prefix of the `syi-verify` principal's ACLs (libs/kafka access.ts). */
const READER = { groupPrefix: 'syi-verify' };

/** Every committed record of a whole topic, per partition. */
async function readAll(kafka: Kafka, topic: string) {
  return readPartitionRanges(kafka, topic, await topicOffsetRanges(kafka, topic), READER);
}

export async function runVerify(command: VerifyCommand, out: Writable): Promise<boolean> {
  const config = loadConfig(verifyConfig);
  const logger = pino({ level: config.LOG_LEVEL }, process.stderr);
  const kafka = createKafka(kafkaSettingsOf(config, 'syi-verify'), logger);
  const serde = new TopicSerde(createRegistryClient(config.SCHEMA_REGISTRY_URL));
  const prefix = config.TOPIC_PREFIX;
  // a registry outage is waited out (up to a minute a record), never counted as undecodable
  const decode = <T extends Parameters<TopicSerde['deserialize']>[0]>(topic: T, payload: Buffer) => {
    const deadline = Date.now() + 60_000;
    return retryWhileRegistryUnavailable(() => serde.deserialize(topic, payload), {
      stopped: () => Date.now() > deadline,
      onRetry: (err, attempt) => {
        if (attempt === 0) logger.warn({ err }, 'schema_registry_unavailable_retrying');
      },
    });
  };
  const outputTopic = prefixedTopic(prefix, 'syi.calculated');

  const output = (await topicOffsetRanges(kafka, outputTopic)).get(0);
  if (output === undefined) throw new Error(`${outputTopic} has no partition 0`);
  // The record before the range is looked for behind `from`: on a transactional topic the
  // offsets just before a record are often commit markers, so the window widens until a record
  // before `from` is found or the topic's start is reached.
  const first = await offsetAtTimestamp(kafka, outputTopic, command.from);
  let lookback = 16;
  let start: number;
  let decoded: SyiRecord[];
  for (;;) {
    start = Math.max(output.from, first - lookback);
    const messages =
      (await readPartitionRanges(kafka, outputTopic, new Map([[0, { from: start, end: output.end }]]), READER)).get(
        0,
      ) ?? [];
    decoded = [];
    for (const m of messages) if (m.value !== null) decoded.push(await decode('syi.calculated', m.value));
    if (start === output.from || decoded.some((r) => r.ts < command.from)) break;
    lookback *= 4;
  }
  const before = decoded.filter((r) => r.ts < command.from);
  const records = decoded.filter((r) => r.ts >= command.from && r.ts <= command.to);
  // the record before the range is the one the first record must link to (unknown when the range starts the topic)
  const prevOfFirst =
    before.length > 0 ? (before[before.length - 1] as SyiRecord).digest : start === 0 ? null : undefined;
  const offGrid = records.filter((r) => r.ts % config.GRID_INTERVAL_MS !== 0);

  let recomputed: Map<number, SyiRecord> | null = null;
  let undecodable = 0;
  /** inputs processor-syi dead-lettered, by kind: it never applied them, so the replay leaves them out */
  const leftOut = new Map<string, number>();
  const letters = new Map<string, number>();
  const sampled = sampleTimes(records, command.recompute);
  let asked = sampled;
  let horizon = -Infinity;
  if (sampled.length > 0) {
    const inputs: StoredInput[] = [];
    const deadLettered = new Set<string>();
    const retained: RetainedPartition[] = [];
    for (const topic of INPUT_TOPICS) {
      const physical = prefixedTopic(prefix, topic);
      const ranges = await topicOffsetRanges(kafka, physical);
      for (const [partition, messages] of await readPartitionRanges(kafka, physical, ranges, READER)) {
        let firstTs: number | null = null;
        for (const m of messages) {
          if (m.value === null) continue;
          try {
            const value = await decode(topic, m.value);
            firstTs ??= value.ts;
            inputs.push({ topic, partition, offset: Number(m.offset), value });
          } catch (err) {
            if (!(err instanceof DeserializationError)) throw err;
            undecodable++;
          }
        }
        retained.push({ topic, truncated: (ranges.get(partition)?.from ?? 0) > 0, firstTs });
      }
      for (const messages of (await readAll(kafka, dlqTopicOf(physical))).values()) {
        for (const m of messages) {
          const h = readDeadLetterHeaders(m.headers);
          const kind = h[DLQ_HEADERS.kind] ?? 'unknown';
          letters.set(kind, (letters.get(kind) ?? 0) + 1);
          // only processor-syi's letters (every kind: it applied none of them); the per-symbol
          // processors dead-letter late by their own grid
          if (h[DLQ_HEADERS.processor] !== SYI_PROCESSOR) continue;
          const id = inputId(topic, h[DLQ_HEADERS.sourcePartition] ?? '', h[DLQ_HEADERS.sourceOffset] ?? '');
          if (deadLettered.has(id)) continue;
          deadLettered.add(id);
          leftOut.set(kind, (leftOut.get(kind) ?? 0) + 1);
        }
      }
    }
    // records whose inputs retention has partly deleted cannot be recomputed: not a mismatch
    horizon = reproducibleFrom(retained);
    asked = sampled.filter((T) => T >= horizon);
    recomputed = recomputeRecords(inputs, asked, deadLettered);
  }

  const report = verifyRange(records, prevOfFirst, recomputed, asked);
  const ok =
    report.records > 0 &&
    report.chainProblems.length === 0 &&
    report.recomputeProblems.length === 0 &&
    offGrid.length === 0;
  const iso = (t: number | null) => (t === null ? '-' : new Date(t).toISOString());
  out.write(`syi verify ${outputTopic} ${iso(command.from)} … ${iso(command.to)}\n`);
  out.write(`  records checked: ${report.records} (${iso(report.from)} … ${iso(report.to)})\n`);
  const chainVerdict = report.chainProblems.length === 0 ? 'OK' : `${report.chainProblems.length} problem(s)`;
  const firstLinkNote =
    prevOfFirst === undefined ? ' (link of the first record not checked: the record before it is gone)' : '';
  out.write(`  chain: ${chainVerdict}${firstLinkNote}\n`);
  for (const p of report.chainProblems.slice(0, 20)) out.write(`    ${iso(p.ts)}: ${p.problem}\n`);
  const gridVerdict =
    offGrid.length === 0
      ? 'OK'
      : `${offGrid.length} record(s) off the grid, first at ${iso((offGrid[0] as SyiRecord).ts)}`;
  out.write(`  grid (${config.GRID_INTERVAL_MS} ms): ${gridVerdict}\n`);
  if (recomputed !== null) {
    const byKind = (counts: Map<string, number>) => {
      const kinds = [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([kind, n]) => `${kind} ${n}`);
      return kinds.length === 0 ? 'none' : kinds.join(', ');
    };
    const leftOutTotal = [...leftOut.values()].reduce((a, b) => a + b, 0);
    out.write(
      `  inputs: ${undecodable} undecodable (not used), ` +
        `${leftOutTotal} left out as dead-lettered by ${SYI_PROCESSOR} (${byKind(leftOut)}); ` +
        `dead letters by kind: ${byKind(letters)}\n`,
    );
    if (asked.length < sampled.length) {
      out.write(
        `  not recomputable: ${sampled.length - asked.length} sampled record(s) ` +
          `before ${Number.isFinite(horizon) ? iso(horizon) : 'the end'} need inputs that retention has deleted\n`,
      );
    }
  }
  const recomputeVerdict =
    report.recomputeProblems.length === 0 ? 'all equal' : `${report.recomputeProblems.length} problem(s)`;
  out.write(`  recomputed from inputs: ${report.recomputed}, ${recomputeVerdict}\n`);
  for (const p of report.recomputeProblems.slice(0, 20)) out.write(`    ${iso(p.ts)}: ${p.problem}\n`);
  if (report.records === 0) out.write('  no record in the range\n');
  out.write(ok ? 'OK\n' : 'FAILED\n');
  return ok;
}
