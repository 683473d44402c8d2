/**
 * A partition whose tail holds only an aborted transaction (records and the abort marker) must not
 * freeze the watermark. Kafka never hands such a fetch to the batch handler; the read position
 * still has to reach the end offset, or the partition looks lagging forever with IDLE_TIMEOUT_MS=0
 * (the default). Real broker and registry, processor-syi as a child process, restarted so that it
 * meets the aborted tail in a fetch of its own.
 */
import { prefixedTopic } from '@stableyield/kafka';
import { readTopic, waitFor } from '@stableyield/kafka/testing';
import type { SyiRecord } from '@stableyield/schemas';
import { SyntheticMarket } from '@stableyield/stream';
import {
  produceInOrder,
  processorTestFile,
  provisionPrefixed,
  readSyiCalculated,
  startProcessorSyi,
  stopApp,
  uniquePrefix,
} from '@stableyield/stream/testing';

jest.setTimeout(240_000);
const { stack, producer, apps, stopApps } = processorTestFile();
// a fresh prefix per attempt: a retry on the topics of a failed one would find data after the aborted tail
let prefix = '';

async function lastPublished(): Promise<number> {
  const messages = await readTopic(stack.kafka, prefixedTopic(prefix, 'syi.calculated'), {
    done: () => false,
    timeoutMs: 2_000,
  });
  return messages.length === 0 ? 0 : Number(messages.at(-1)!.timestamp);
}

/** processor-syi on this attempt's topics, once ready; SIGKILLed after the test. */
async function runProcessor() {
  const { app } = await startProcessorSyi(stack, prefix);
  apps.push(app);
  return app;
}

afterEach(() => stopApps());

it('keeps evaluating after a restart that meets an aborted transaction at the tail of an input partition', async () => {
  prefix = uniquePrefix('aborted-tail');
  await provisionPrefixed(stack.kafka, stack.logger, stack.registryUrl, prefix);
  const start = Date.now() - 150_000;
  const market = [...new SyntheticMarket({ startMs: start, seed: 7 }).until(start + 120_000)];
  const firstHalf = market.filter((r) => r.value.ts <= start + 60_000);
  // the T-bill is written once, in the first half: its partition gets no data afterwards
  const secondHalf = market.filter((r) => r.value.ts > start + 60_000 && r.topic !== 'trad.tbill');
  expect(firstHalf.some((r) => r.topic === 'trad.tbill')).toBe(true);

  await produceInOrder(producer(), stack.serde, prefix, firstHalf, 60_000);
  const app = await runProcessor();
  await waitFor('the first half published', async () => (await lastPublished()) >= start + 55_000, 90_000, 1_000);
  await stopApp(app, 'SIGTERM'); // commits its checkpoint: the T-bill partition is read to its end

  // an aborted transaction on the T-bill partition: a record and the abort marker
  const aborter = stack.kafka.producer({
    transactionalId: `${prefix}aborter`,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await aborter.connect();
  const tx = await aborter.transaction();
  const tbill = firstHalf.find((r) => r.topic === 'trad.tbill')!;
  await tx.send({
    topic: prefixedTopic(prefix, 'trad.tbill'),
    messages: [{ key: tbill.key, value: await stack.serde.serialize('trad.tbill', tbill.value) }],
  });
  await tx.abort();
  await aborter.disconnect();

  await produceInOrder(producer(), stack.serde, prefix, secondHalf, 60_000);
  await runProcessor(); // SIGKILLed after the test
  // Before the fix the T-bill partition read to offset 1 of an end at 3 held the watermark at
  // the T-bill's ts: nothing after the first half was ever published.
  await waitFor('the second half published', async () => (await lastPublished()) >= start + 115_000, 90_000, 1_000);
  const published: SyiRecord[] = await readSyiCalculated(stack, prefix, 2_000);
  const ts = published.map((r) => r.ts);
  expect(ts.every((t, i) => i === 0 || t - ts[i - 1]! === 1000)).toBe(true); // no gap, no duplicate across the restart
});
