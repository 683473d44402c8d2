/**
 * Two deployments of processor-syi side by side on one broker ("blue" and "green", each with its
 * own topics) must not fence each other: each derives its transactional id from its deployment
 * (`<TOPIC_PREFIX>processor-syi.<DEPLOYMENT_ID>`), both commit transaction after transaction at
 * the same time, neither exits, and each publishes the same index from the same market.
 */
import { deletePrefixed, waitFor } from '@stableyield/kafka/testing';
import type { SyiRecord } from '@stableyield/schemas';
import { SyntheticMarket } from '@stableyield/stream';
import {
  httpOk,
  produceInOrder,
  processorTestFile,
  provisionPrefixed,
  readSyiCalculated,
  spawnProcessorSyi,
  uniquePrefix,
  type AppProcess,
} from '@stableyield/stream/testing';

jest.setTimeout(240_000);
const { stack, producer, apps, stopApps } = processorTestFile();
const prefixes: string[] = [];

afterEach(() => stopApps());

afterAll(async () => {
  for (const prefix of prefixes) await deletePrefixed(stack, prefix);
});

const published = (prefix: string): Promise<SyiRecord[]> => readSyiCalculated(stack, prefix, 1_500);

/** The fields of the app's `processor_started` log line. */
function startedLine(app: AppProcess): Record<string, unknown> | undefined {
  const line = app
    .output()
    .split('\n')
    .find((l) => l.includes('"processor_started"'));
  return line === undefined ? undefined : (JSON.parse(line) as Record<string, unknown>);
}

it('runs two deployments on one broker at once without either fencing the other', async () => {
  const deployments = [
    { id: 'blue', prefix: uniquePrefix('deploy-blue') },
    { id: 'green', prefix: uniquePrefix('deploy-green') },
  ];
  prefixes.push(...deployments.map((d) => d.prefix));
  const start = Date.now() - 80_000;
  const market = [...new SyntheticMarket({ startMs: start, seed: 5 }).until(start + 75_000)];
  const backlog = market.filter((r) => r.value.ts <= start + 45_000);
  const live = market.filter((r) => r.value.ts > start + 45_000);
  for (const d of deployments) {
    await provisionPrefixed(stack.kafka, stack.logger, stack.registryUrl, d.prefix);
    await produceInOrder(producer(), stack.serde, d.prefix, backlog, 60_000);
  }

  const spawned = deployments.map((d) =>
    spawnProcessorSyi(stack, d.prefix, { DEPLOYMENT_ID: d.id, LOG_LEVEL: 'info' }),
  );
  apps.push(...spawned.map((s) => s.app));
  const ports = spawned.map((s) => s.port);
  await waitFor(
    'both deployments ready',
    async () => (await Promise.all(ports.map((p) => httpOk(`http://127.0.0.1:${p}/ready`)))).every(Boolean),
    60_000,
    250,
  );
  await waitFor('both deployments started', () => apps.every((app) => startedLine(app) !== undefined), 60_000, 250);
  deployments.forEach((d, i) =>
    expect(startedLine(apps[i]!)).toMatchObject({
      deployment: d.id,
      transactionalId: `${d.prefix}processor-syi.${d.id}`,
    }),
  );

  // records keep arriving for both while both commit: in slices shorter than the allowed lateness,
  // so that no input is late in either and both must publish the very same records
  await Promise.all(deployments.map((d) => produceInOrder(producer(), stack.serde, d.prefix, live, 100)));
  const lastGrid = Math.floor((Math.max(...market.map((r) => r.value.ts)) - 200) / 1000) * 1000;
  const outputs: SyiRecord[][] = [[], []];
  await waitFor(
    'both published every grid point',
    async () => {
      for (const [i, d] of deployments.entries()) outputs[i] = await published(d.prefix);
      return outputs.every((o) => o.some((r) => r.ts >= lastGrid));
    },
    90_000,
    1_000,
  );

  for (const app of apps) {
    expect(app.child.exitCode).toBeNull();
    expect(app.output()).not.toMatch(
      /transaction_failed|processor_failed_exiting|ProducerFenced|INVALID_PRODUCER_EPOCH/,
    );
  }
  // Past the newest input each goes on by its own clock (up to 2 s): compare what both have published.
  const common = Math.min(outputs[0]!.length, outputs[1]!.length);
  const [blue, green] = outputs.map((o) => o.slice(0, common)) as [SyiRecord[], SyiRecord[]];
  expect(blue.length).toBeGreaterThan(30);
  expect(blue.at(-1)!.ts).toBeGreaterThanOrEqual(lastGrid);
  expect(blue.map((r) => r.ts).every((t, i, ts) => i === 0 || t - ts[i - 1]! === 1000)).toBe(true);
  // the same market gives the same index, digest for digest, in either deployment
  expect(green.map((r) => r.digest)).toEqual(blue.map((r) => r.digest));
});
