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
  /** The rejected payload, untouched. */
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
} as const;

/** The `<topic>.dlq` record of a dead letter: payload as received, reason and source in headers. */
export function deadLetterRecord(letter: DeadLetter, now: number = Date.now()): RawRecord {
  const headers: IHeaders = {
    ...letter.headers,
    [DLQ_HEADERS.reason]: letter.reason,
    [DLQ_HEADERS.kind]: letter.kind,
    [DLQ_HEADERS.sourceTopic]: letter.sourceTopic,
    [DLQ_HEADERS.failedAt]: new Date(now).toISOString(),
  };
  if (letter.partition !== undefined) headers[DLQ_HEADERS.sourcePartition] = String(letter.partition);
  if (letter.offset !== undefined) headers[DLQ_HEADERS.sourceOffset] = letter.offset;
  return { topic: dlqTopicOf(letter.sourceTopic), key: letter.key ?? null, value: letter.value, headers, timestamp: now };
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
