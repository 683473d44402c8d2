// Replay throughput: a generated scenario of ≥ 1 000 000 events, replayed in-process on a
// 1-second grid through the same path as `syi replay`. Prints one JSON object.
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadEvents, replayLog, splitLines } from '../src/replay';
import { eventLine, syntheticEvents } from './scenario';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 1_000_000);
const INTERVAL_MS = 1000;

async function writeScenario(file: string): Promise<number> {
  const out = createWriteStream(file);
  let n = 0;
  let buffer = '';
  for (const event of syntheticEvents(EVENTS)) {
    buffer += eventLine(event) + '\n';
    n++;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
  return n;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'syi-bench-'));
  const file = path.join(dir, 'events.jsonl');
  try {
    const generated = await writeScenario(file);
    const rssBefore = process.memoryUsage().rss;
    const started = process.hrtime.bigint();
    const { log } = await loadEvents(splitLines(createReadStream(file)), false);
    const loaded = process.hrtime.bigint();
    let records = 0;
    let outputBytes = 0;
    for (const record of replayLog(log, INTERVAL_MS)) {
      records++;
      outputBytes += JSON.stringify(record).length + 1;
    }
    const finished = process.hrtime.bigint();
    const seconds = Number(finished - started) / 1e9;
    const range = log.timeRange!;
    console.log(
      JSON.stringify({
        benchmark: 'replay-throughput',
        events: generated,
        intervalMs: INTERVAL_MS,
        gridPoints: Math.floor((range.max - Math.ceil(range.min / INTERVAL_MS) * INTERVAL_MS) / INTERVAL_MS) + 1,
        records,
        outputMb: +(outputBytes / 2 ** 20).toFixed(1),
        seconds: +seconds.toFixed(3),
        loadSeconds: +(Number(loaded - started) / 1e9).toFixed(3),
        replaySeconds: +(Number(finished - loaded) / 1e9).toFixed(3),
        eventsPerSecond: Math.round(generated / seconds),
        peakRssMb: +(process.resourceUsage().maxRSS / 1024).toFixed(1),
        rssBeforeReplayMb: +(rssBefore / 2 ** 20).toFixed(1),
        targets: { eventsPerSecond: 200_000, peakRssMb: 300 },
        node: process.version,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
