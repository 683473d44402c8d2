// Reading the methodology's test vectors (kept in the repository, see vectors/README.md) and
// comparing records as §6 of SYI-v1 defines.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { IndexEvent } from '../src/events';
import type { IndexRecord } from '../src/record';
import { runReplay } from '../src/replay';
import { toLine } from './builders';

export const VECTORS_DIR = path.join(__dirname, 'vectors');
/** basic and stress come with the methodology; edge is the repository's own (edge-scenario.ts). */
export const VECTOR_NAMES = ['basic', 'stress', 'edge'] as const;

export const eventsPath = (name: string) => path.join(VECTORS_DIR, `${name}.events.jsonl`);

export function readJsonLines<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

export type ExpectedRecord = Omit<IndexRecord, 'methodologyVersion'>;

function close(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return a === b;
  const diff = Math.abs(a - b);
  return diff <= 1e-12 || diff <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

/** The differences between expected and actual records under §6 (empty: they match). */
export function vectorDifferences(expected: readonly ExpectedRecord[], actual: readonly IndexRecord[]): string[] {
  const problems: string[] = [];
  const byTs = new Map(actual.map((r) => [r.ts, r]));
  const expectedTs = new Set(expected.map((r) => r.ts));
  for (const r of actual) if (!expectedTs.has(r.ts)) problems.push(`${r.ts}: unexpected record`);
  for (const e of expected) {
    const a = byTs.get(e.ts);
    if (a === undefined) {
      problems.push(`${e.ts}: missing record`);
      continue;
    }
    if (a.mode !== e.mode) problems.push(`${e.ts}: mode ${a.mode} ≠ ${e.mode}`);
    if (a.eligible !== e.eligible) problems.push(`${e.ts}: eligible ${a.eligible} ≠ ${e.eligible}`);
    if (!close(a.value, e.value)) problems.push(`${e.ts}: value ${a.value} ≠ ${e.value}`);
    if (!close(a.rpl, e.rpl)) problems.push(`${e.ts}: rpl ${a.rpl} ≠ ${e.rpl}`);
    if (a.constituents.length !== e.constituents.length)
      problems.push(`${e.ts}: ${a.constituents.length} constituents ≠ ${e.constituents.length}`);
    e.constituents.forEach((ec, i) => {
      const ac = a.constituents[i];
      if (ac?.symbol !== ec.symbol) problems.push(`${e.ts}: constituent ${i} is ${ac?.symbol} ≠ ${ec.symbol}`);
      else {
        if (!close(ac.weight, ec.weight)) problems.push(`${e.ts}: ${ec.symbol} weight ${ac.weight} ≠ ${ec.weight}`);
        if (!close(ac.ray, ec.ray)) problems.push(`${e.ts}: ${ec.symbol} ray ${ac.ray} ≠ ${ec.ray}`);
      }
    });
  }
  return problems;
}

/** The records the replay command writes for these input lines at a grid step of `intervalSeconds`. */
export async function replayRecords(
  lines: AsyncIterable<string> | Iterable<string>,
  intervalSeconds: number,
): Promise<IndexRecord[]> {
  let out = '';
  await runReplay(lines, { intervalSeconds, skipInvalid: false, write: (t) => void (out += t) });
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as IndexRecord);
}

/** Writes one of our own vectors: NAME.events.jsonl, and NAME.expected.jsonl by the replay at `intervalSeconds`. */
export async function writeVector(name: string, events: readonly IndexEvent[], intervalSeconds: number): Promise<void> {
  const lines = events.map(toLine);
  let expected = '';
  const summary = await runReplay(lines, {
    intervalSeconds,
    skipInvalid: false,
    write: (text) => void (expected += text),
  });
  writeFileSync(path.join(VECTORS_DIR, `${name}.events.jsonl`), lines.join('\n') + '\n');
  writeFileSync(path.join(VECTORS_DIR, `${name}.expected.jsonl`), expected);
  console.log(`${name}: ${summary.events} events, ${summary.records} records`);
}
