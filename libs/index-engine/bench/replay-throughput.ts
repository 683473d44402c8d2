// Replay throughput: the whole `syi replay` path on a generated scenario, in process —
// read the file in 1 MB chunks, split and validate lines, sort by ts, evaluate every grid
// point, serialise the records and write them to a file — exactly what the command does
// (runReplayChunks, the function apps/syi-cli calls). Prints one JSON object.
//
//   npm run --silent bench -- index-engine/replay-throughput [--events N] [--interval SECONDS] [--keep FILE]
//   npx tsx libs/index-engine/bench/replay-throughput.ts --events 1000000 --interval 1
//
// Defaults: 1 000 000 events (about 22 simulated hours), a 1-second grid. --keep FILE writes the
// scenario to FILE and leaves it there, to time the real command on the same input:
//   time npm run --silent syi -- replay --input FILE --interval 1 > /dev/null
// eventsPerSecond is wall-clock (the machine may be shared: run it 2–3 times); cpuSeconds is
// the process's user + system time for the replay. loadSeconds is the time to the first
// output (reading, validating and sorting the input, plus the first 64 KB of records).
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runReplayChunks } from '../src/replay';
import { eventLine, syntheticEvents } from './lib/scenario';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    interval: { type: 'string', default: '1' },
    keep: { type: 'string' },
  },
});
const EVENTS = Number(args.events);
const INTERVAL_SECONDS = Number(args.interval);

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

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'syi-bench-'));
  const file = args.keep ?? path.join(dir, 'events.jsonl');
  const outFile = path.join(dir, 'records.jsonl');
  try {
    const generated = await writeScenario(file);
    const out = createWriteStream(outFile);
    const rssBefore = process.memoryUsage().rss;
    const cpuStart = cpuSeconds();
    const started = process.hrtime.bigint();
    let firstOutput: bigint | undefined;
    const summary = await runReplayChunks(createReadStream(file, { highWaterMark: 1 << 20 }), {
      intervalSeconds: INTERVAL_SECONDS,
      skipInvalid: false,
      write: async (text) => {
        firstOutput ??= process.hrtime.bigint();
        if (!out.write(text)) await once(out, 'drain');
      },
    });
    out.end();
    await once(out, 'finish');
    const finished = process.hrtime.bigint();
    const cpu = cpuSeconds() - cpuStart;
    const seconds = Number(finished - started) / 1e9;
    console.log(
      JSON.stringify({
        benchmark: 'replay-throughput',
        events: generated,
        inputMb: +(statSync(file).size / 2 ** 20).toFixed(1),
        intervalSeconds: INTERVAL_SECONDS,
        records: summary.records,
        outputMb: +(statSync(outFile).size / 2 ** 20).toFixed(1),
        seconds: +seconds.toFixed(3),
        loadSeconds: +(Number((firstOutput ?? finished) - started) / 1e9).toFixed(3),
        cpuSeconds: +cpu.toFixed(3),
        eventsPerSecond: Math.round(summary.events / seconds),
        eventsPerCpuSecond: Math.round(summary.events / cpu),
        peakRssMb: +(process.resourceUsage().maxRSS / 1024).toFixed(1),
        rssBeforeReplayMb: +(rssBefore / 2 ** 20).toFixed(1),
        targets: { eventsPerSecond: 200_000, peakRssMb: 300 },
        ...(args.keep === undefined ? {} : { scenarioFile: file }),
        node: process.version,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
