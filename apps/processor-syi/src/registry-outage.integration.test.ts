/**
 * A schema-registry outage must not cost data. processor-syi starts while its registry (a proxy in
 * front of the stack's, which other tests keep using) is gone: 10 s of refused connections, then
 * 10 s of 503s, while input records keep arriving. Its first decodes fail; before the fix each
 * record went to the DLQ as undecodable and was never applied. Now the partition is held, the
 * decode retried and /ready reports the registry; afterwards every input is applied: nothing
 * dead-lettered, and every grid point equals the replay of all inputs.
 */
import { RegistryProxy, waitFor } from '@stableyield/kafka/testing';
import type { SyiRecord } from '@stableyield/schemas';
import { SyntheticMarket } from '@stableyield/stream';
import {
  dumpInputs,
  INPUT_TOPIC_NAMES,
  matchesReplay,
  produceInOrder,
  processorTestFile,
  provisionPrefixed,
  readSyiCalculated,
  recordCount,
  replayOf,
  splitAtInputsEnd,
  spawnProcessorSyi,
  stopApp,
  uniquePrefix,
  type AppProcess,
} from '@stableyield/stream/testing';

jest.setTimeout(240_000);
const { stack, producer } = processorTestFile();
let registry: RegistryProxy;
let app: AppProcess | undefined;

beforeAll(async () => {
  registry = await RegistryProxy.start(stack.registryUrl);
});

afterEach(async () => {
  if (app) await stopApp(app, 'SIGKILL');
  app = undefined;
  await registry.up();
});

afterAll(async () => {
  await registry.down();
});

async function health(
  port: number,
  path: '/ready' | '/live',
): Promise<{ status: number; body: { failing?: string[] } }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: (await res.json()) as { failing?: string[] } };
}

it('holds the partitions through a 20 s registry outage: nothing dead-lettered, nothing lost', async () => {
  const prefix = uniquePrefix('registry-outage'); // fresh per attempt
  await provisionPrefixed(stack.kafka, stack.logger, stack.registryUrl, prefix);
  const start = Date.now() - 90_000;
  const market = [...new SyntheticMarket({ startMs: start, seed: 11 }).until(start + 60_000)];
  const before = market.filter((r) => r.value.ts <= start + 30_000);
  const during = market.filter((r) => r.value.ts > start + 30_000);
  await produceInOrder(producer(), stack.serde, prefix, before, 60_000);

  await registry.down();
  const spawned = spawnProcessorSyi(stack, prefix, { SCHEMA_REGISTRY_URL: registry.url, PROVISION_TOPICS: 'false' });
  app = spawned.app;
  const port = spawned.port;
  const outageStarted = Date.now();
  // Degraded, not dead: running (lease held, state restored), reading held at the first record.
  await waitFor(
    '/ready to name only the registry',
    async () => JSON.stringify((await health(port, '/ready')).body.failing) === '["schema registry available"]',
    60_000,
    250,
  );
  await produceInOrder(producer(), stack.serde, prefix, during, 60_000); // records keep flowing
  await new Promise((r) => setTimeout(r, Math.max(0, outageStarted + 10_000 - Date.now())));
  await registry.failing(); // the registry answers again, but 503
  expect((await health(port, '/ready')).status).toBe(503);
  await new Promise((r) => setTimeout(r, Math.max(0, outageStarted + 20_000 - Date.now())));
  expect((await health(port, '/live')).status).toBe(200);
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  expect(metrics).toMatch(/^schema_registry_unavailable\S* 1$/m);
  expect(app.child.exitCode).toBeNull();
  await registry.up();

  const lastGrid = Math.floor((Math.max(...market.map((r) => r.value.ts)) - 200) / 1000) * 1000;
  let published: SyiRecord[] = [];
  await waitFor(
    'every grid point published',
    async () => {
      published = await readSyiCalculated(stack, prefix, 1_500);
      return published.some((r) => r.ts >= lastGrid);
    },
    90_000,
    1_000,
  );
  expect((await health(port, '/ready')).status).toBe(200);
  await stopApp(app, 'SIGTERM');
  app = undefined;

  for (const topic of INPUT_TOPIC_NAMES)
    expect([topic, await recordCount(stack.kafka, prefix, `${topic}.dlq`)]).toEqual([topic, 0]);
  const inputs = await dumpInputs(stack, prefix, market);
  const expected = new Map((await replayOf(inputs, 1000)).map((r) => [r.ts, r]));
  expect(published.length).toBeGreaterThan(30);
  const { comparable, problems: beyondTheClock } = splitAtInputsEnd(published, inputs);
  const problems = comparable
    .map((r) => (expected.has(r.ts) ? matchesReplay(r, expected.get(r.ts)!) : `${r.ts}: not in the replay`))
    .filter((p) => p !== null);
  expect([...beyondTheClock, ...problems]).toEqual([]);
  const ts = published.map((r) => r.ts);
  expect(ts.every((t, i) => i === 0 || t - ts[i - 1]! === 1000)).toBe(true);
});
