// ingest-hermes against a real market-sim and the real broker: values, reconnects, fail-over and back,
// dead letters, 429, unknown ids.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DLQ_HEADERS, readDeadLetterHeaders } from '@stableyield/kafka';
import { endOffsets, readTopic, stackWithTopics, waitFor } from '@stableyield/kafka/testing';
import { slotSnapshot } from '@stableyield/market-model';
import { type PythPrice, type PythUpdate } from '@stableyield/schemas';
import { scaleInteger } from '@stableyield/upstream';
import { metricValue, physical, prefix, simPerFile, startApp, type RunningApp } from '../test/harness';

const USDC = 'eaa020c61cc479712813461ce153894a96a6c00b21ed0cfc2798d1f9a9e9c94a';
const FEEDS = 8;

const stack = stackWithTopics(prefix);
const { sim, scenario } = simPerFile({ tickRate: 10 });
let running: RunningApp | null = null;

afterEach(async () => {
  await running?.stop();
  running = null;
});

async function readValues<T extends 'pyth.updates' | 'pyth.prices'>(
  topic: T,
  from: Map<number, string>,
  count: number,
) {
  const messages = await readTopic(stack.kafka, physical(topic), {
    from,
    done: (m) => m.length >= count,
    timeoutMs: 20_000,
  });
  return Promise.all(
    messages.map(async (m) => ({ key: m.key?.toString(), value: await stack.serde.deserialize(topic, m.value!) })),
  ) as Promise<{ key: string | undefined; value: T extends 'pyth.updates' ? PythUpdate : PythPrice }[]>;
}

const published = (app: RunningApp) => app.batches.reduce((n, b) => n + b.updates.length, 0);
const publishedPrices = (app: RunningApp) => app.batches.flatMap((b) => b.prices);

/** Per feed, publish times strictly increasing (no repeats) and, unless told, without gaps (one per second). */
function expectNoDuplicateOrGap(prices: PythPrice[], options: { gapsAllowed?: boolean } = {}): void {
  const byFeed = new Map<string, number[]>();
  for (const p of prices) byFeed.set(p.feedId, [...(byFeed.get(p.feedId) ?? []), p.publishTime]);
  expect(byFeed.size).toBe(FEEDS);
  for (const [feed, times] of byFeed) {
    const steps = times.slice(1).map((t, i) => t - times[i]!);
    expect({ feed, repeats: steps.filter((s) => s <= 0) }).toEqual({ feed, repeats: [] });
    if (options.gapsAllowed !== true) expect({ feed, gaps: steps.filter((s) => s > 1) }).toEqual({ feed, gaps: [] });
  }
}

describe('ingest-hermes on market-sim and Kafka', () => {
  it('publishes schema-valid pyth.updates and pyth.prices with the simulator values of a depeg scenario', async () => {
    await scenario({
      name: 'usdc-depeg-now',
      events: [{ type: 'depeg', at: 0, symbol: 'USDC', price: 0.97, ramp: 0 }],
    });
    const fromUpdates = await endOffsets(stack.kafka, physical('pyth.updates'));
    const fromPrices = await endOffsets(stack.kafka, physical('pyth.prices'));
    running = await startApp(stack, sim());
    const app = running;
    await waitFor('4 published events', () => published(app) >= 4, 20_000);
    await waitFor('ready', async () => (await app.readiness.failing()).length === 0, 5_000);
    expect(await metricValue(app.registry, 'sse_connection_status')).toBe(1);
    await running.stop();
    running = null;
    const count = published(app);
    const updates = await readValues('pyth.updates', fromUpdates, count);
    const prices = await readValues('pyth.prices', fromPrices, count * FEEDS);
    expect(updates).toHaveLength(count);
    expect(prices).toHaveLength(count * FEEDS);
    for (const { key, value } of updates) {
      expect(key).toBe('hermes');
      expect(value.encoding).toBe('hex');
      expect(value.feeds).toHaveLength(FEEDS);
      expect(value.data).toHaveLength(FEEDS);
      // Every feed equals what the simulator computes for that slot (same seed, scenario still loaded).
      const slot = value.feeds[0]!.slot!;
      const snapshot = slotSnapshot(sim().state.market, sim().state.clock, slot);
      for (const feed of value.feeds) {
        const expected = snapshot.get(feed.feedId)!.parsed;
        expect([feed.price, feed.conf, feed.expo, feed.publishTime]).toEqual([
          expected.price.price,
          expected.price.conf,
          expected.price.expo,
          expected.price.publish_time,
        ]);
        expect(feed.symbol).not.toBeNull();
      }
      expect(value.data[3]).toBe(snapshot.get(USDC)!.blobHex);
      expect(value.ts).toBe(value.feeds[0]!.publishTime * 1000);
    }
    const feedOf = new Map(
      updates.flatMap(({ value }) => value.feeds.map((f) => [`${f.feedId}@${f.publishTime}`, f] as const)),
    );
    const receivedAtOf = new Map(
      updates.flatMap(({ value }) =>
        value.feeds.map((f) => [`${f.feedId}@${f.publishTime}`, value.receivedAt] as const),
      ),
    );
    for (const { key, value } of prices) {
      expect(key).toBe(value.feedId);
      const feed = feedOf.get(`${value.feedId}@${value.publishTime}`)!;
      expect(value.price).toBe(scaleInteger(feed.price, feed.expo));
      expect(value.conf).toBe(scaleInteger(feed.conf, feed.expo));
      // event time = when the update reached the ingester (publishTime is whole seconds)
      expect(value.ts).toBe(receivedAtOf.get(`${value.feedId}@${value.publishTime}`));
      expect(value.ts).toBeGreaterThanOrEqual(value.publishTime * 1000);
    }
    // The first slot streamed may have started before the scenario was loaded (the simulator's
    // prices are those of the current slot): the depeg holds from the next slot on.
    const firstSlot = Math.min(...prices.map((p) => p.value.publishTime));
    const usdc = prices
      .filter((p) => p.value.symbol === 'USDC' && p.value.publishTime > firstSlot)
      .map((p) => p.value.price);
    expect(usdc.length).toBeGreaterThan(0);
    for (const p of usdc) expect(Math.abs(p - 0.97)).toBeLessThan(0.002);
    expectNoDuplicateOrGap(prices.map((p) => p.value));
  });

  it('reconnects a killed stream and a silent one (watchdog)', async () => {
    running = await startApp(stack, sim());
    const app = running;
    await waitFor('first event', () => published(app) >= 1, 20_000);
    await scenario({ events: [{ type: 'outage', at: 0, source: 'hermes', mode: 'drop', duration: '300ms' }] });
    await waitFor(
      'a reconnect after the drop',
      async () => (await metricValue(app.registry, 'hermes_reconnects_total')) >= 1,
      10_000,
    );
    const afterDrop = published(app);
    await waitFor('events after the drop', () => published(app) > afterDrop + 1, 10_000);
    // Silence: the stream stays open without a byte; the watchdog (1 s) must reconnect.
    const reconnects = await metricValue(app.registry, 'hermes_reconnects_total');
    await scenario({ events: [{ type: 'hermes', at: 0, mode: 'silent', duration: '1800ms' }] });
    await waitFor(
      'a watchdog reconnect',
      async () => (await metricValue(app.registry, 'hermes_reconnects_total')) > reconnects,
      10_000,
    );
    const afterSilence = published(app);
    await waitFor('events after the silence', () => published(app) > afterSilence + 1, 15_000);
    expect(app.app.client.getState()).toBe('streaming');
    // The silent seconds were never sent (one failure does not fail over), so only repeats are checked.
    expectNoDuplicateOrGap(publishedPrices(app), { gapsAllowed: true });
  });

  it(
    'fails over to polling while the stream keeps failing and returns to the stream, ' + 'without duplicates or gaps',
    async () => {
      const from = await endOffsets(stack.kafka, physical('pyth.prices'));
      running = await startApp(stack, sim());
      const app = running;
      await waitFor('first event', () => published(app) >= 1, 20_000);
      // Every stream ends at once for 4 s: three failed connections, then polling /latest.
      await scenario({ events: [{ type: 'hermes', at: 0, mode: 'close', duration: '4s' }] });
      await waitFor('fail-over', () => app.app.client.isFailedOver(), 10_000);
      expect(await metricValue(app.registry, 'hermes_failover_active')).toBe(1);
      const polledFrom = app.requests.filter((r) => r.path.endsWith('/latest')).length;
      await waitFor(
        'polls answered',
        () => app.requests.filter((r) => r.path.endsWith('/latest') && r.status === 200).length >= polledFrom + 3,
        10_000,
      );
      expect(await app.readiness.failing()).toEqual([]);
      await waitFor(
        'back on the stream',
        () => !app.app.client.isFailedOver() && app.app.client.getState() === 'streaming',
        15_000,
      );
      expect(await metricValue(app.registry, 'hermes_failover_active')).toBe(0);
      const back = published(app);
      await waitFor('stream events after the return', () => published(app) >= back + 2, 10_000);
      await running.stop();
      running = null;
      const expected = publishedPrices(app).length;
      const prices = await readValues('pyth.prices', from, expected);
      expect(prices).toHaveLength(expected);
      expectNoDuplicateOrGap(prices.map((p) => p.value));
      // The outage lasted 4 s and was bridged: the published span covers it.
      const usdcTimes = prices.filter((p) => p.value.feedId === USDC).map((p) => p.value.publishTime);
      expect(usdcTimes[usdcTimes.length - 1]! - usdcTimes[0]!).toBeGreaterThanOrEqual(4);
    },
  );

  it('dead-letters malformed events with the reason and keeps publishing', async () => {
    const from = await endOffsets(stack.kafka, physical('pyth.updates.dlq'));
    running = await startApp(stack, sim());
    const app = running;
    await waitFor('first event', () => published(app) >= 1, 20_000);
    await scenario({ events: [{ type: 'malformed', at: 0, source: 'hermes', rate: 1, duration: '1s' }] });
    const dead = await readTopic(stack.kafka, physical('pyth.updates.dlq'), {
      from,
      done: (m) => m.length >= 2,
      timeoutMs: 20_000,
    });
    expect(dead.length).toBeGreaterThanOrEqual(2);
    for (const m of dead) {
      const headers = readDeadLetterHeaders(m.headers);
      expect(headers[DLQ_HEADERS.reason]).toMatch(/^hermes: (invalid payload|body is not JSON)/);
      expect(headers[DLQ_HEADERS.sourceTopic]).toBe('pyth.updates');
      expect(headers['upstream.url']).toContain('/hermes/v2/updates/price/stream?ids[]=');
      expect(m.value!.toString().length).toBeGreaterThan(0);
    }
    const after = published(app);
    await waitFor('events after the malformed second', () => published(app) >= after + 2, 10_000);
    expect(await metricValue(app.registry, 'dlq_records_total')).toBeGreaterThanOrEqual(2);
  });

  it('waits out a 429 for its Retry-After', async () => {
    await scenario({ events: [{ type: 'hermes', at: 0, mode: '429', retryAfterSeconds: 1, duration: '2500ms' }] });
    running = await startApp(stack, sim());
    const app = running;
    await waitFor('events after the 429s', () => published(app) >= 2, 20_000);
    const refused = app.requests.filter((r) => r.status === 429 && r.path.endsWith('/stream'));
    expect(refused.length).toBeGreaterThanOrEqual(2);
    // Back-off alone would retry after 100–400 ms; every retry waited the server's 1 s.
    refused.slice(1).forEach((r, i) => expect(r.at - refused[i]!.at).toBeGreaterThanOrEqual(950));
    const polls = app.requests.filter((r) => r.status === 429 && r.path.endsWith('/latest'));
    polls.slice(1).forEach((r, i) => expect(r.at - polls[i]!.at).toBeGreaterThanOrEqual(950));
  });

  it('reports an unknown feed id clearly and does not retry it', async () => {
    const unknown = 'ab'.repeat(32);
    running = await startApp(stack, sim(), { HERMES_FEEDS: `USDC:0x${USDC},NOPE:0x${unknown}` });
    const app = running;
    await waitFor('the fatal error', () => app.fatal.length > 0, 10_000);
    expect(app.fatal[0]).toMatchObject({ source: 'hermes', kind: 'price-ids-not-found', ids: [unknown] });
    expect(app.app.client.getState()).toBe('failed');
    const requests = app.requests.length;
    await new Promise((r) => setTimeout(r, 1000)); // would see retries at 100–400 ms back-off
    expect(app.requests.length).toBe(requests);
    expect(await app.readiness.failing()).toContain('hermes-delivering');
  });

  it('fails at start with a clear message on bad configuration', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'main.ts')], {
      env: { PATH: process.env['PATH'], HERMES_FEEDS: 'USDC:0x12', HERMES_URL: 'not a url', HEALTH_PORT: '0' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Invalid configuration');
    expect(result.stderr).toContain('HERMES_FEEDS: "USDC:0x12" is not SYMBOL:0x<64 hex digits>');
    expect(result.stderr).toContain('HERMES_URL: must be an http(s) URL');
  });
});
