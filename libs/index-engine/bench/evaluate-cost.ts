// Cost of one evaluation at a grid point with six constituents and a full 24-hour peg window.
// The state is filled with 25 simulated hours, then an hour more is applied event by event
// and evaluated at every 1-second grid point; only the evaluate() calls are timed. Prints one
// JSON object (median, p99, mean and max in microseconds).
//
//   npm run --silent bench -- index-engine/evaluate-cost
//   npx tsx libs/index-engine/bench/evaluate-cost.ts
//
// Wall-clock timings: on a shared machine the p99 and max include time the process was not
// running; run it 2–3 times.
import { IndexState } from '../src/state';
import { SCENARIO_START, syntheticEvents } from './lib/scenario';

const WARM_HOURS = 25;
const MEASURED_SECONDS = 3600;

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function main(): void {
  const state = new IndexState();
  const warmEnd = SCENARIO_START + WARM_HOURS * 3_600_000;
  const measureEnd = warmEnd + MEASURED_SECONDS * 1000;
  const timings = new Float64Array(MEASURED_SECONDS);
  let measured = 0;
  let nextGrid = warmEnd;
  let eligible = 0;
  for (const event of syntheticEvents(Number.MAX_SAFE_INTEGER)) {
    while (event.ts > nextGrid && nextGrid < measureEnd) {
      const t0 = process.hrtime.bigint();
      const record = state.evaluate(nextGrid);
      timings[measured++] = Number(process.hrtime.bigint() - t0) / 1000;
      eligible = record?.eligible ?? 0;
      nextGrid += 1000;
    }
    if (nextGrid >= measureEnd) break;
    state.apply(event);
  }
  const sorted = timings.slice(0, measured).sort();
  const mean = sorted.reduce((a, b) => a + b, 0) / measured;
  console.log(
    JSON.stringify({
      benchmark: 'evaluate-cost',
      constituents: 6,
      eligible,
      windowHours: 24,
      evaluations: measured,
      medianMicros: +percentile(sorted, 0.5).toFixed(2),
      p99Micros: +percentile(sorted, 0.99).toFixed(2),
      meanMicros: +mean.toFixed(2),
      maxMicros: +sorted[measured - 1]!.toFixed(2),
      targetMedianMicros: 50,
      node: process.version,
    }),
  );
}

main();
