// The replay (§5): read a JSON-lines event file, sort it stably by event time, feed the
// incremental state and evaluate every grid point from the first multiple of the interval
// at or after the smallest ts up to the largest ts. No I/O here: the caller supplies the
// input chunks and a writer.

import { EventLog } from './event-log';
import { parseEventLine } from './events';
import { METHODOLOGY_V1, type MethodologyParams } from './params';
import type { IndexRecord } from './record';
import { IndexState } from './state';

/** Bad input line; the message starts with "line N: ". */
export class InvalidInputError extends Error {
  constructor(
    readonly lineNumber: number,
    readonly problem: string,
  ) {
    super(`line ${lineNumber}: ${problem}`);
    this.name = 'InvalidInputError';
  }
}

/** `--interval` seconds to the grid step: round(seconds × 1000) ms, which must be ≥ 1. */
export function gridStepMs(intervalSeconds: number): number {
  const step = Math.round(intervalSeconds * 1000);
  if (!Number.isFinite(step) || step < 1) throw new RangeError(`interval must be at least 0.0005 s (got ${intervalSeconds})`);
  return step;
}

/** Splits a stream of text (or UTF-8 bytes) into lines; a trailing "\r" is dropped. */
export async function* splitLines(chunks: AsyncIterable<string | Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let rest = '';
  for await (const chunk of chunks) {
    const text = rest + (typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    let start = 0;
    let nl = text.indexOf('\n', start);
    while (nl !== -1) {
      yield stripCr(text.slice(start, nl));
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    rest = text.slice(start);
  }
  rest += decoder.decode();
  if (rest !== '') yield stripCr(rest);
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

export interface LoadResult {
  readonly log: EventLog;
  /** lines skipped because they were invalid (only with skipInvalid) */
  readonly invalidLines: number;
}

/**
 * Validates and stores every line. Blank lines are ignored. An invalid line throws
 * InvalidInputError, or is counted and skipped when `skipInvalid` is set.
 */
export async function loadEvents(lines: AsyncIterable<string> | Iterable<string>, skipInvalid: boolean): Promise<LoadResult> {
  const log = new EventLog();
  let invalidLines = 0;
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    const parsed = parseEventLine(line);
    if (parsed.ok) log.push(parsed.event);
    else if (skipInvalid) invalidLines++;
    else throw new InvalidInputError(lineNumber, parsed.error);
  }
  return { log, invalidLines };
}

/** The records of the grid for a loaded input, in time order. */
export function* replayLog(log: EventLog, stepMs: number, params: MethodologyParams = METHODOLOGY_V1): Generator<IndexRecord> {
  const range = log.timeRange;
  if (range === undefined) return;
  const state = new IndexState(params);
  const order = log.timeOrder();
  let next = 0;
  for (let T = Math.ceil(range.min / stepMs) * stepMs; T <= range.max; T += stepMs) {
    while (next < order.length && log.ts(order[next] as number) <= T) state.apply(log.get(order[next++] as number));
    const record = state.evaluate(T);
    if (record !== null) yield record;
  }
}

export interface ReplayOptions {
  readonly intervalSeconds: number;
  readonly skipInvalid: boolean;
  readonly params?: MethodologyParams;
  /** receives output text (whole JSON lines); may return a promise to apply back-pressure */
  readonly write: (text: string) => void | Promise<void>;
}

export interface ReplaySummary {
  readonly events: number;
  readonly invalidLines: number;
  readonly records: number;
}

const WRITE_BATCH_CHARS = 1 << 16;

/** The whole replay command: lines in, one JSON line per record out. */
export async function runReplay(lines: AsyncIterable<string> | Iterable<string>, options: ReplayOptions): Promise<ReplaySummary> {
  const stepMs = gridStepMs(options.intervalSeconds);
  const { log, invalidLines } = await loadEvents(lines, options.skipInvalid);
  let records = 0;
  let pending = '';
  for (const record of replayLog(log, stepMs, options.params)) {
    records++;
    pending += JSON.stringify(record) + '\n';
    if (pending.length >= WRITE_BATCH_CHARS) {
      await options.write(pending);
      pending = '';
    }
  }
  if (pending !== '') await options.write(pending);
  return { events: log.size, invalidLines, records };
}
