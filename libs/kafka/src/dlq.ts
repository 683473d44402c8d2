import type { IHeaders } from 'kafkajs';
import { dlqTopicOf } from './catalog';
import type { RawRecord } from './producer';

/** Why a record was dead-lettered, as a bounded metric label; the full reason goes in a header. */
export type DeadLetterKind = 'invalid' | 'undecodable' | 'late' | 'constraint' | 'upstream';

export interface DeadLetter {
  /** The topic the record came from, or was meant for (an ingester's target topic). */
  sourceTopic: string;
  kind: DeadLetterKind;
  reason: string;
  key?: string | Buffer | null;
  /** The rejected payload, untouched unless larger than MAX_DEAD_LETTER_VALUE_BYTES. */
  value: Buffer | string | null;
  partition?: number;
  offset?: string;
  /** Extra context, e.g. the upstream URL of a bad payload. */
  headers?: Record<string, string>;
}

export const DLQ_HEADERS = {
  reason: 'dlq.reason',
  kind: 'dlq.kind',
  sourceTopic: 'dlq.source.topic',
  sourcePartition: 'dlq.source.partition',
  sourceOffset: 'dlq.source.offset',
  failedAt: 'dlq.failed.at',
  /** the app that dead-lettered a record it read (e.g. `processor-syi`): checkers tell letters apart by it */
  processor: 'dlq.processor',
  /** set when the payload was cut: its original size in bytes */
  truncatedFrom: 'dlq.value.truncated.from',
} as const;

/**
 * Most payload bytes a dead letter keeps. The broker refuses records above message.max.bytes
 * (1 MiB by default) and the reason and headers need room too; the start of a payload is
 * enough to see what was wrong with it.
 */
export const MAX_DEAD_LETTER_VALUE_BYTES = 64 * 1024;
const MAX_REASON_CHARS = 1_024;
const TRUNCATION_MARKER = Buffer.from('…[truncated]');

/** The payload cut to `maxBytes` (marker included), and its original size when it was cut. */
export function truncatePayload(
  value: Buffer | string | null,
  maxBytes = MAX_DEAD_LETTER_VALUE_BYTES,
): { value: Buffer | string | null; originalBytes?: number } {
  if (value === null) return { value };
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  if (bytes.length <= maxBytes) return { value };
  const kept = bytes.subarray(0, Math.max(0, maxBytes - TRUNCATION_MARKER.length));
  return { value: Buffer.concat([kept, TRUNCATION_MARKER]), originalBytes: bytes.length };
}

/**
 * The `<topic>.dlq` record of a dead letter: payload as received (its first MAX_DEAD_LETTER_VALUE_BYTES,
 * marked, when larger), reason and source in headers.
 */
export function deadLetterRecord(letter: DeadLetter, now: number = Date.now()): RawRecord {
  const { value, originalBytes } = truncatePayload(letter.value);
  const headers: IHeaders = {
    ...letter.headers,
    [DLQ_HEADERS.reason]:
      letter.reason.length > MAX_REASON_CHARS ? `${letter.reason.slice(0, MAX_REASON_CHARS)}…` : letter.reason,
    [DLQ_HEADERS.kind]: letter.kind,
    [DLQ_HEADERS.sourceTopic]: letter.sourceTopic,
    [DLQ_HEADERS.failedAt]: new Date(now).toISOString(),
  };
  if (letter.partition !== undefined) headers[DLQ_HEADERS.sourcePartition] = String(letter.partition);
  if (letter.offset !== undefined) headers[DLQ_HEADERS.sourceOffset] = letter.offset;
  if (originalBytes !== undefined) headers[DLQ_HEADERS.truncatedFrom] = String(originalBytes);
  return { topic: dlqTopicOf(letter.sourceTopic), key: letter.key ?? null, value, headers, timestamp: now };
}

/** Reads the headers of a DLQ record back into plain strings. */
export function readDeadLetterHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.map(String).join(',') : v.toString();
  }
  return out;
}
