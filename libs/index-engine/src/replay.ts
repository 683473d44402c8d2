// The replay (§5): read a JSON-lines event file, sort it stably by event time, feed the
// incremental state and evaluate every grid point from the first multiple of the interval
// at or after the smallest ts up to the largest ts. No I/O here: the caller supplies the
// input chunks and a writer.

import { Buffer, isAscii } from 'node:buffer';
import { EventLog } from './event-log';
import { parseEventLine } from './events';
import { METHODOLOGY_V1, type MethodologyParams } from './params';
import type { IndexRecord } from './record';
import { IndexRecordWriter } from './record-json';
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
  if (!Number.isFinite(step) || step < 1)
    throw new RangeError(`interval must be at least 0.0005 s (got ${intervalSeconds})`);
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

/** Validates and stores lines one by one, numbering them (blank lines count, and are ignored). */
class LineLoader {
  readonly log = new EventLog();
  invalidLines = 0;
  private lineNumber = 0;

  constructor(private readonly skipInvalid: boolean) {}

  add(line: string): void {
    this.lineNumber++;
    // An event line starts with "{"; anything else may be blank (ignored) or invalid.
    if (line.charCodeAt(0) !== 0x7b && line.trim() === '') return;
    const parsed = parseEventLine(line);
    if (parsed.ok) this.log.push(parsed.event);
    else if (this.skipInvalid) this.invalidLines++;
    else throw new InvalidInputError(this.lineNumber, parsed.error);
  }
}

/**
 * Streaming UTF-8 decoding (invalid bytes become U+FFFD, a BOM at the start is dropped, as
 * TextDecoder does) with a fast path for the usual all-ASCII chunk, which is decoded as
 * Latin-1: for ASCII bytes the text is the same and the conversion several times cheaper.
 */
class Utf8ChunkDecoder {
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });
  /** false while the decoder may hold the first bytes of a character, or a BOM may still come */
  private clean = false;

  decode(chunk: Uint8Array): string {
    if (this.clean && isAscii(chunk)) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      return bytes.toString('latin1');
    }
    const text = this.decoder.decode(chunk, { stream: true });
    // After an ASCII chunk nothing is pending; otherwise a character may continue in the next chunk.
    // The first bytes go through TextDecoder so that a leading BOM is dropped exactly as it does.
    this.clean = chunk.length > 0 && isAscii(chunk);
    return text;
  }

  end(): string {
    return this.decoder.decode();
  }
}

/**
 * Validates and stores every line. Blank lines are ignored. An invalid line throws
 * InvalidInputError, or is counted and skipped when `skipInvalid` is set.
 */
export async function loadEvents(
  lines: AsyncIterable<string> | Iterable<string>,
  skipInvalid: boolean,
): Promise<LoadResult> {
  const loader = new LineLoader(skipInvalid);
  for await (const line of lines) loader.add(line);
  return { log: loader.log, invalidLines: loader.invalidLines };
}

/**
 * The same from raw chunks of text or UTF-8 bytes (a file or standard input): lines are split
 * and loaded chunk by chunk, without a promise per line. Lines end at "\n"; a "\r" before it is
 * dropped, and a last line without "\n" counts.
 */
export async function loadEventChunks(
  chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  skipInvalid: boolean,
): Promise<LoadResult> {
  const loader = new LineLoader(skipInvalid);
  const decoder = new Utf8ChunkDecoder();
  // The start of a line whose end is in a later chunk.
  let rest = '';
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk);
    let start = 0;
    let nl = text.indexOf('\n');
    if (nl !== -1 && rest !== '') {
      loader.add(stripCr(rest + text.slice(0, nl)));
      rest = '';
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    while (nl !== -1) {
      loader.add(stripCr(text.slice(start, nl)));
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    rest += text.slice(start);
  }
  rest += decoder.end();
  if (rest !== '') loader.add(stripCr(rest));
  return { log: loader.log, invalidLines: loader.invalidLines };
}

/** The records of the grid for a loaded input, in time order. */
export function* replayLog(
  log: EventLog,
  stepMs: number,
  params: MethodologyParams = METHODOLOGY_V1,
): Generator<IndexRecord> {
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

/** Output is handed to the writer in pieces of about this many characters. */
const WRITE_BATCH_CHARS = 1 << 16;

/** The whole replay command: lines in, one JSON line per record out. */
export async function runReplay(
  lines: AsyncIterable<string> | Iterable<string>,
  options: ReplayOptions,
): Promise<ReplaySummary> {
  const stepMs = gridStepMs(options.intervalSeconds);
  return writeReplay(await loadEvents(lines, options.skipInvalid), stepMs, options);
}

/** The same from raw chunks of text or UTF-8 bytes, e.g. a file read stream (faster for large inputs). */
export async function runReplayChunks(
  chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  options: ReplayOptions,
): Promise<ReplaySummary> {
  const stepMs = gridStepMs(options.intervalSeconds);
  return writeReplay(await loadEventChunks(chunks, options.skipInvalid), stepMs, options);
}

async function writeReplay(
  { log, invalidLines }: LoadResult,
  stepMs: number,
  options: ReplayOptions,
): Promise<ReplaySummary> {
  const writer = new IndexRecordWriter();
  let records = 0;
  let pending = '';
  for (const record of replayLog(log, stepMs, options.params)) {
    records++;
    pending += writer.json(record) + '\n';
    if (pending.length >= WRITE_BATCH_CHARS) {
      await options.write(pending);
      pending = '';
    }
  }
  if (pending !== '') await options.write(pending);
  return { events: log.size, invalidLines, records };
}
