/**
 * `syi verify` against the real broker and registry: processor-syi publishes a few minutes of a
 * synthetic market on prefixed topics; verify passes on what it published (chain and
 * recomputation from the inputs) and fails on records appended by a forger.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { prefixedTopic, type TopicProducer } from '@stableyield/kafka';
import { connectTestProducer, testStack, waitFor } from '@stableyield/kafka/testing';
import type { SyiRecord } from '@stableyield/schemas';
import { recordDigest, SyntheticMarket } from '@stableyield/stream';
import {
  produceInOrder,
  provisionPrefixed,
  readSyiCalculated,
  startProcessorSyi,
  stopApp,
  swapEveryNthOfKey,
  uniquePrefix,
  TEST_GRID_MS,
} from '@stableyield/stream/testing';

jest.setTimeout(240_000);
const REPO = path.resolve(__dirname, '../../..');
const stack = testStack();
const prefix = uniquePrefix('syi-verify');
let producer: TopicProducer;
let published: SyiRecord[] = [];

function verify(args: string[]) {
  const result = spawnSync('npm', ['run', '--silent', 'syi', '--', 'verify', ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: {
      ...process.env,
      KAFKA_BROKERS: stack.brokers.join(','),
      SCHEMA_REGISTRY_URL: stack.registryUrl,
      TOPIC_PREFIX: prefix,
      // the grid processor-syi ran on here (the default is 250 ms)
      GRID_INTERVAL_MS: String(TEST_GRID_MS),
    },
  });
  return { status: result.status, out: result.stdout + result.stderr };
}

const readOutput = (): Promise<SyiRecord[]> => readSyiCalculated(stack, prefix, 3_000);

async function forge(record: SyiRecord): Promise<void> {
  const value = await stack.serde.serialize('syi.calculated', record);
  await producer.producer.send({
    topic: prefixedTopic(prefix, 'syi.calculated'),
    acks: -1,
    messages: [{ key: 'SYI', value, timestamp: String(record.ts) }],
  });
}

beforeAll(async () => {
  await provisionPrefixed(stack.kafka, stack.logger, stack.registryUrl, prefix);
  producer = await connectTestProducer(stack);
  const start = Date.now() - 180_000;
  // some partitions hold a later ts before an earlier one: the old verifier dropped the earlier
  // offset and reported every later record as a mismatch
  const inputs = swapEveryNthOfKey([...new SyntheticMarket({ startMs: start, seed: 4 }).until(start + 150_000)]);
  await produceInOrder(producer, stack.serde, prefix, inputs, 60_000);
  // one input nobody can decode: processor-syi dead-letters it, verify must count it, not skip it silently
  await producer.sendRaw([
    { topic: prefixedTopic(prefix, 'cc.prices'), key: 'USDC-garbage', value: Buffer.from('not avro') },
  ]);
  const lastGrid = Math.floor((Math.max(...inputs.map((r) => r.value.ts)) - 200) / 1000) * 1000;
  const { app } = await startProcessorSyi(stack, prefix);
  try {
    await waitFor(
      'the backlog published',
      async () => (await readOutput()).some((r) => r.ts >= lastGrid),
      90_000,
      1_000,
    );
  } finally {
    await stopApp(app, 'SIGTERM');
  }
  published = await readOutput();
});

afterAll(async () => {
  await producer.disconnect();
});

it('passes on what processor-syi published, recomputing records from the inputs', () => {
  expect(published.length).toBeGreaterThan(100);
  const from = (published[10] as SyiRecord).ts;
  const to = (published[published.length - 1] as SyiRecord).ts;
  const { status, out } = verify(['--from', new Date(from).toISOString(), '--to', String(to), '--recompute', '4']);
  expect(out).toContain(`records checked: ${published.length - 10}`);
  expect(out).toContain('chain: OK');
  expect(out).not.toContain('link of the first record not checked');
  expect(out).toContain('grid (1000 ms): OK');
  expect(out).toContain('recomputed from inputs: 4, all equal');
  expect(out).toMatch(
    /inputs: 1 undecodable \(not used\), \d+ left out as dead-lettered by processor-syi \((late \d+, )?undecodable 1\)/,
  );
  expect(status).toBe(0);
});

it('fails on an appended record that does not link, and on one whose value the inputs do not give', async () => {
  const last = published[published.length - 1] as SyiRecord;
  // well linked and self-consistent, but a value the inputs do not give
  const { digest: _d, ...body } = { ...last, ts: last.ts + 1000, value: last.value + 0.5, prevDigest: last.digest };
  const forged: SyiRecord = { ...body, digest: recordDigest(body) };
  await forge(forged);
  const linked = verify(['--from', String(forged.ts), '--to', String(forged.ts), '--recompute', '1']);
  expect(linked.out).toContain('chain: OK');
  expect(linked.out).toMatch(/recomputed from inputs: 1, [12] problem/);
  expect(linked.status).toBe(1);
  // a record whose prevDigest is not the digest of the one before
  const { digest: _e, ...broken } = { ...last, ts: last.ts + 2000, prevDigest: last.digest };
  await forge({ ...broken, digest: recordDigest(broken) });
  const unlinked = verify(['--from', String(last.ts), '--to', String(last.ts + 2000)]);
  expect(unlinked.out).toMatch(/chain: 1 problem/);
  expect(unlinked.out).toContain('prevDigest');
  expect(unlinked.status).toBe(1);
});
