// Cost of one grid point inside processor-syi, without Kafka: apply + evaluate + chain (digests),
// and the checkpoint each commit writes (state JSON + gzip). Prints JSON.
//   npx tsx libs/stream/bench/grid-cost.ts [seconds of synthetic market, default 600]
import { gzipSync } from 'node:zlib';
import { validateEvent } from '@stableyield/index-engine';
import { EventTimeIndex, SyntheticMarket } from '../src';

const seconds = Number(process.argv[2] ?? 600);
const START = 1_767_225_600_000;
const market = new SyntheticMarket({ startMs: START, seed: 5 });
const events = [...market.until(START + seconds * 1000)].map((r) => {
  const v = validateEvent({ topic: r.topic, value: r.value });
  if (!v.ok) throw new Error(v.error);
  return { partition: `${r.topic}/0`, event: v.event };
});
const index = new EventTimeIndex({ gridStepMs: 1000, allowedLatenessMs: 200, idleTimeoutMs: 10_000 });
const offsets = new Map<string, number>();
const gridMs: number[] = [];
const checkpointMs: number[] = [];
let checkpointBytes = 0;
let records = 0;
for (const e of events) {
  const offset = offsets.get(e.partition) ?? 0;
  offsets.set(e.partition, offset + 1);
  const offered = index.offer(e.partition, offset, e.event, 0);
  if (offered.kind !== 'buffered')
    throw new Error(
      `grid-cost: ${e.partition} offset ${offset} was ${offered.kind}: the benchmark would measure less than it says`,
    );
  const t0 = performance.now();
  const out = index.advance(0);
  if (out.length === 0) continue;
  gridMs.push((performance.now() - t0) / out.length);
  records += out.length;
  const t1 = performance.now();
  const bytes = gzipSync(JSON.stringify(index.checkpoint()), { level: 1 });
  checkpointMs.push(performance.now() - t1);
  checkpointBytes = bytes.length;
}
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Number((s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN).toFixed(3));
};
const skip = (xs: number[]) => xs.slice(Math.min(60, Math.floor(xs.length / 4))); // after warm-up
process.stdout.write(
  JSON.stringify({
    bench: 'grid-cost',
    events: events.length,
    records,
    gridPointMs: { p50: pct(skip(gridMs), 0.5), p99: pct(skip(gridMs), 0.99) },
    checkpointMs: { p50: pct(skip(checkpointMs), 0.5), p99: pct(skip(checkpointMs), 0.99) },
    checkpointBytes,
  }) + '\n',
);
