// End-to-end latency of processor-syi on the local stack: a synthetic market is produced in
// real time (event time = wall time) to a fresh topic prefix, processor-syi runs as its own
// process, and a read_committed consumer notes when each syi.calculated record becomes
// readable. latency = that wall time − the record's grid time T. Prints JSON with the
// percentiles and the processor's own processor_evaluation_latency_seconds histogram.
//   npx tsx libs/stream/bench/latency.ts [seconds, default 60] [allowed lateness ms, default 200]
import { prefixedTopic } from '@stableyield/kafka';
import { connectTestProducer, testStack, uniqueGroup, waitFor } from '@stableyield/kafka/testing';
import { SyntheticMarket } from '../src';
import {
  produceInOrder,
  provisionPrefixed,
  startProcessorSyi,
  stopApp,
  uniquePrefix,
} from '@stableyield/stream/testing';
import { runBenchmark } from './lib/run';

const seconds = Number(process.argv[2] ?? 60);
const latenessMs = Number(process.argv[3] ?? 200);
const WARMUP_S = 10;
const stack = testStack();

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

async function main(): Promise<object> {
  const prefix = uniquePrefix('bench-latency');
  await provisionPrefixed(stack.kafka, stack.logger, stack.registryUrl, prefix);
  const producer = await connectTestProducer(stack);
  const { app, port } = await startProcessorSyi(stack, prefix, { ALLOWED_LATENESS_MS: String(latenessMs) });

  const latencies: { ts: number; ms: number }[] = [];
  const consumer = stack.kafka.consumer({
    groupId: uniqueGroup('bench-latency'),
    readUncommitted: false,
    maxWaitTimeInMs: 20,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: prefixedTopic(prefix, 'syi.calculated'), fromBeginning: true });
  await consumer.run({
    eachMessage: ({ message }) => {
      const ts = Number(message.timestamp); // the producer sets the record timestamp to T
      latencies.push({ ts, ms: Date.now() - ts });
      return Promise.resolve();
    },
  });

  const market = new SyntheticMarket({ startMs: Date.now(), seed: 21 });
  const started = Date.now();
  const end = started + seconds * 1000;
  while (Date.now() < end) {
    await produceInOrder(producer, stack.serde, prefix, [...market.until(Date.now())], 50);
    await new Promise((r) => setTimeout(r, 10));
  }
  const lastT = Math.floor((Date.now() - latenessMs) / 1000) * 1000 - 1000;
  await waitFor('the last records', () => latencies.some((l) => l.ts >= lastT), 30_000);
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  await stopApp(app, 'SIGTERM');
  await consumer.disconnect();
  await producer.disconnect();

  const measured = latencies
    .filter((l) => l.ts >= started + WARMUP_S * 1000)
    .map((l) => l.ms)
    .sort((a, b) => a - b);
  const histogram = metrics
    .split('\n')
    .filter(
      (l) =>
        l.startsWith('processor_evaluation_latency_seconds_bucket{') ||
        l.startsWith('processor_evaluation_latency_seconds_count'),
    )
    .map((l) => l.replace(/^processor_evaluation_latency_seconds_/, ''));
  return {
    bench: 'processor-syi-latency',
    seconds,
    allowedLatenessMs: latenessMs,
    gridMs: 1000,
    records: measured.length,
    latencyMs: {
      p50: percentile(measured, 0.5),
      p90: percentile(measured, 0.9),
      p99: percentile(measured, 0.99),
      max: measured[measured.length - 1] ?? NaN,
    },
    processorEvaluationLatencyHistogram: histogram,
  };
}

runBenchmark(main);
