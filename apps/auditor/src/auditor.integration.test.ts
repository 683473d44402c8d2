/**
 * The auditor against the real broker and registry: processor-syi publishes a synthetic market
 * (some partitions with a later ts before an earlier one, a few inputs sent late) on prefixed
 * topics; between two of its records the test appends a forged one at the right chain position
 * (linked to the record before it, its own digest consistent) with a wrong value. The auditor
 * must report exactly that record as a mismatch and every record of the processor as a match.
 */
import { prefixedTopic, type TopicProducer } from '@stableyield/kafka';
import { connectTestProducer, readTopic, testStack, waitFor } from '@stableyield/kafka/testing';
import type { SyiRecord } from '@stableyield/schemas';
import { recordDigest, SyntheticMarket, type AuditStatus } from '@stableyield/stream';
import {
  httpOk,
  produceInOrder,
  produceInputs,
  provisionPrefixed,
  randomTestPort,
  readSyiCalculated,
  spawnApp,
  startProcessorSyi,
  stopApp,
  swapEveryNthOfKey,
  uniquePrefix,
  type AppProcess,
} from '@stableyield/stream/testing';

jest.setTimeout(300_000);
const stack = testStack();
const prefix = uniquePrefix('auditor');
const kafkaEnv = {
  KAFKA_BROKERS: stack.brokers.join(','),
  SCHEMA_REGISTRY_URL: stack.registryUrl,
  TOPIC_PREFIX: prefix,
  LOG_LEVEL: 'warn',
};
let producer: TopicProducer;
let processor: AppProcess;
let auditor: AppProcess;
const auditorPort = randomTestPort();
let forged: SyiRecord;

const published = (): Promise<SyiRecord[]> => readSyiCalculated(stack, prefix, 3_000);

async function status(): Promise<AuditStatus> {
  return (await (await fetch(`http://127.0.0.1:${auditorPort}/status`)).json()) as AuditStatus;
}

beforeAll(async () => {
  await provisionPrefixed(stack.kafka, stack.logger, stack.registryUrl, prefix);
  producer = await connectTestProducer(stack);
  const start = Date.now() - 240_000;
  const inputs = swapEveryNthOfKey([...new SyntheticMarket({ startMs: start, seed: 11 }).until(start + 180_000)]);
  const half = inputs.findIndex((r) => r.value.ts > start + 90_000);
  await produceInOrder(producer, stack.serde, prefix, inputs.slice(0, half), 60_000);

  processor = (await startProcessorSyi(stack, prefix)).app;
  await waitFor(
    'the first half published',
    async () => (await published()).some((r) => r.ts >= start + 85_000),
    90_000,
    1_000,
  );
  // let it reach its watermark (between events the clock carries it up to 2 s past the newest
  // input), then forge the next link: T half a grid step after the last record
  await new Promise((r) => setTimeout(r, 4_000));
  const last = (await published()).at(-1) as SyiRecord;
  const { digest: _d, ...body } = { ...last, ts: last.ts + 500, value: last.value * 1.001, prevDigest: last.digest };
  forged = { ...body, digest: recordDigest(body) };
  await producer.producer.send({
    topic: prefixedTopic(prefix, 'syi.calculated'),
    acks: -1,
    messages: [
      { key: 'SYI', value: await stack.serde.serialize('syi.calculated', forged), timestamp: String(forged.ts) },
    ],
  });
  // a few inputs far behind the watermark: processor-syi dead-letters them as late
  const stale = inputs.filter((r) => r.topic === 'pyth.prices' && r.value.ts > start + 30_000).slice(0, 5);
  await produceInputs(producer, stack.serde, prefix, stale);
  await produceInOrder(producer, stack.serde, prefix, inputs.slice(half), 60_000);
  await waitFor(
    'the second half published',
    async () => (await published()).some((r) => r.ts >= start + 170_000),
    90_000,
    1_000,
  );

  auditor = spawnApp('auditor', {
    ...kafkaEnv,
    HEALTH_PORT: String(auditorPort),
    AUDIT_SETTLE_MS: '500',
    AUDIT_GRACE_MS: '3000',
    AUDIT_TICK_MS: '250',
  });
  await waitFor('auditor ready', () => httpOk(`http://127.0.0.1:${auditorPort}/ready`), 60_000);
});

afterAll(async () => {
  if (auditor) await stopApp(auditor, 'SIGTERM');
  if (processor) await stopApp(processor, 'SIGTERM');
  await producer?.disconnect();
});

it('reports the forged record, and only it, as a mismatch', async () => {
  const records = await published();
  const last = (records.at(-1) as SyiRecord).ts;
  await waitFor('every record judged', async () => (await status()).checkedThrough === last, 120_000, 1_000);
  const s = await status();
  expect(s.mismatched).toBe(1);
  expect(s.matched).toBe(records.length - 1);
  expect(s.lastMismatch?.ts).toBe(forged.ts);
  expect(s.lastMismatch?.publishedDigest).toBe(forged.digest);
  expect(s.lastMismatch?.publishedValue).toBe(forged.value);
  expect(s.lastMismatch?.recomputedValue).not.toBeNull();
  expect(s.lastMismatch?.deviation).toBeGreaterThan(0);
  expect(s.lastMismatch?.recomputedDigest).not.toBe(forged.digest);
  expect(s.lastMismatch?.problems[0]).toMatch(/^value /);
  expect(s.pending).toBe(0);

  const metrics = await (await fetch(`http://127.0.0.1:${auditorPort}/metrics`)).text();
  expect(metrics).toMatch(/^syi_verified_records_total\{result="mismatch",app="auditor"\} 1$/m);
  expect(metrics).toMatch(
    new RegExp(`^syi_verified_records_total\\{result="match",app="auditor"\\} ${records.length - 1}$`, 'm'),
  );
  // the forged record was judged last (its grace period ran while the records after it matched)
  const deviation = Number(/^syi_accuracy_deviation\{app="auditor"\} (\S+)$/m.exec(metrics)?.[1]);
  expect(deviation).toBe(s.lastMismatch?.deviation);
  expect(deviation).toBeGreaterThan(0);
  expect(metrics).toMatch(/^syi_verification_lag_seconds\{app="auditor"\} \d/m);
  expect(auditor.output()).toContain('syi_verification_mismatch');
});

it('saw processor-syi dead-letter late inputs and still matched every one of its records', async () => {
  const letters = await readTopic(stack.kafka, prefixedTopic(prefix, 'pyth.prices.dlq'), {
    done: () => false,
    timeoutMs: 3_000,
  });
  expect(letters.length).toBeGreaterThanOrEqual(5);
  const s = await status();
  expect(s.inputsNotUsed).toEqual({ invalid: 0, undecodable: 0, behindBase: 0 });
});
