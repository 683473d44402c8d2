// The dead letters of a system run, judged. A payload that could not be read, failed validation
// or broke a constraint is always a problem. A late event is what the processors are built to do
// when an input reaches Kafka more than the allowed lateness after newer events: on two shared
// cores a producer stalls now and then, so a few are expected — but only a few, and
// processor-syi's must be left out of the replay the index is compared with (as `syi verify` and
// the auditor leave them out), since the index never applied them.
import { SYI_PROCESSOR } from '@stableyield/stream';

export interface ReadDeadLetter {
  /** the dead-letter topic, e.g. `pyth.prices.dlq` (unprefixed) */
  topic: string;
  /** a DeadLetterKind (`late`, `undecodable`, …), as the header carries it */
  kind: string;
  /** who dead-lettered it (`processor-syi`, `processor-peg`, an ingester: empty when unset) */
  processor: string;
  reason: string;
  /** the rejected payload, decoded with the source topic's schema when it could be */
  value: unknown;
}

export interface DeadLetterJudgement {
  problems: string[];
  /** one line a run prints: letters by topic, kind and processor */
  summary: string;
  /** inputs processor-syi dead-lettered as late: the replay must run without them */
  lateForIndex: ReadDeadLetter[];
}

/**
 * The most late letters a topic may have, as a share of its input records: a stall can make one
 * whole CryptoCompare poll late (8 or 9 of the ~100 prices of a 2-minute run), while a fault in the event-time
 * logic makes most of a topic late (45 of 48 pools in the run that set the test lateness).
 */
export const MAX_LATE_SHARE = 0.1;

export function judgeDeadLetters(
  letters: readonly ReadDeadLetter[],
  inputCounts: Readonly<Record<string, number>>,
): DeadLetterJudgement {
  const problems: string[] = [];
  const groups = new Map<string, ReadDeadLetter[]>();
  for (const letter of letters) {
    const key = `${letter.topic} ${letter.kind} by ${letter.processor || 'an ingester'}`;
    groups.set(key, [...(groups.get(key) ?? []), letter]);
  }
  for (const [key, group] of groups) {
    if (group[0]!.kind !== 'late')
      problems.push(`${key}: ${group.length} dead letter(s), the first: ${group[0]!.reason}`);
  }
  const lateByTopic = new Map<string, number>();
  for (const letter of letters)
    if (letter.kind === 'late') lateByTopic.set(letter.topic, (lateByTopic.get(letter.topic) ?? 0) + 1);
  for (const [topic, late] of lateByTopic) {
    const inputs = inputCounts[topic.replace(/\.dlq$/, '')] ?? 0;
    if (late > inputs * MAX_LATE_SHARE)
      problems.push(
        `${topic}: ${late} late events of ${inputs} inputs (more than ${MAX_LATE_SHARE * 100} %), ` +
          `the first: ${letters.find((l) => l.topic === topic && l.kind === 'late')!.reason}`,
      );
  }
  const summary =
    groups.size === 0 ? 'no dead letters' : [...groups].map(([key, group]) => `${key}: ${group.length}`).join('; ');
  return { problems, summary, lateForIndex: letters.filter((l) => l.kind === 'late' && l.processor === SYI_PROCESSOR) };
}

/** The inputs without one occurrence of each given letter's payload (matched by its decoded value). */
export function withoutLetters<T extends { topic: string; value: unknown }>(
  inputs: readonly T[],
  letters: readonly ReadDeadLetter[],
): T[] {
  const drop = new Map<string, number>();
  for (const l of letters) {
    const key = `${l.topic.replace(/\.dlq$/, '')} ${JSON.stringify(l.value)}`;
    drop.set(key, (drop.get(key) ?? 0) + 1);
  }
  return inputs.filter((r) => {
    const key = `${r.topic} ${JSON.stringify(r.value)}`;
    const n = drop.get(key) ?? 0;
    if (n === 0) return true;
    drop.set(key, n - 1);
    return false;
  });
}
