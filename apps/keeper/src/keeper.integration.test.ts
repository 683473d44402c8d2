// The keeper wired to a real broker and a private anvil with MockPyth (in-process: same factory as main.ts).
import {
  feedId,
  metricValue,
  startEnv,
  startKeeper,
  waitFor,
  nowS,
  priceConfigYaml,
  type Env,
  type FeedName,
  type InProcessKeeper,
} from '../test/harness';

const ONE = 100_000_000n; // 1.00000000 at expo -8

describe('keeper: decisions against the chain', () => {
  let env: Env;
  let keeper: InProcessKeeper;

  beforeAll(async () => {
    env = await startEnv();
    keeper = await startKeeper(env, { DEBOUNCE_MS: '200', LOG_LEVEL: process.env['KEEPER_TEST_LOG'] ?? 'silent' });
  });
  afterAll(async () => {
    await keeper?.stop();
    await env?.close();
  });

  const eventsOf = async (feed: FeedName) => (await env.updateEvents()).filter((e) => e.id === feedId(feed));
  const sourceTime = async (feed: FeedName) =>
    (await keeper.status()).keeper.feeds.find((f) => f.id === feedId(feed))?.source?.publishTime;

  it('pushes new feeds in one transaction and the chain then holds the Hermes prices', async () => {
    const t0 = nowS() - 100;
    await env.produce([
      { feed: 'usdc', price: ONE, publishTime: t0 },
      { feed: 'usdt', price: ONE + 5_000n, publishTime: t0 },
      { feed: 'dai', price: ONE - 7_000n, publishTime: t0 },
    ]);
    await waitFor('three feeds on-chain', async () => (await env.updateEvents()).length === 3, 30_000);
    const events = await env.updateEvents();
    expect(new Set(events.map((e) => e.txHash)).size).toBe(1);
    expect(await env.onchain('usdc')).toEqual({ price: ONE, publishTime: t0 });
    expect(await env.onchain('usdt')).toEqual({ price: ONE + 5_000n, publishTime: t0 });
    expect(await env.onchain('dai')).toEqual({ price: ONE - 7_000n, publishTime: t0 });
  });

  it('holds a move below the deviation threshold and pushes one above it', async () => {
    const t0 = (await env.onchain('usdc'))!.publishTime;
    // USDC +0.3 % (threshold 1 %, and below half of it, so not even an early candidate): held.
    await env.produce([{ feed: 'usdc', price: (ONE * 1003n) / 1000n, publishTime: t0 + 1 }]);
    await waitFor('USDC ingested', async () => (await sourceTime('usdc')) === t0 + 1);
    const seenAt = Date.now();
    // A decision run after the debounce window has passed (the on-chain refresh re-evaluates every 500 ms).
    await waitFor(
      'a later decision',
      async () => ((await keeper.status()).keeper.lastOnchainRefreshAtMs ?? 0) > seenAt + 400,
    );
    const usdc = (await keeper.status()).keeper.feeds.find((f) => f.id === feedId('usdc'));
    expect(usdc?.lastDecision).toMatchObject({ condition: 'no', hold: 'within-thresholds' });
    // USDT +2 %: pushed, alone.
    await env.produce([{ feed: 'usdt', price: (ONE * 102n) / 100n, publishTime: t0 + 2 }]);
    await waitFor('USDT pushed', async () => (await env.onchain('usdt'))?.publishTime === t0 + 2);
    expect(await eventsOf('usdc')).toHaveLength(1);
    expect(await env.onchain('usdc')).toEqual({ price: ONE, publishTime: t0 });
  });

  it('sends several feeds that moved in one transaction', async () => {
    const t0 = (await env.onchain('usdt'))!.publishTime;
    await env.produce([{ feed: 'usdc', price: (ONE * 1015n) / 1000n, publishTime: t0 + 1 }]);
    await env.produce([{ feed: 'dai', price: (ONE * 97n) / 100n, publishTime: t0 + 1 }]);
    await waitFor(
      'USDC and DAI pushed',
      async () =>
        (await env.onchain('usdc'))?.publishTime === t0 + 1 && (await env.onchain('dai'))?.publishTime === t0 + 1,
    );
    const [usdc, dai] = [(await eventsOf('usdc')).at(-1), (await eventsOf('dai')).at(-1)];
    expect(usdc?.txHash).toBe(dai?.txHash);
    expect(await env.onchain('usdc')).toEqual({ price: (ONE * 1015n) / 1000n, publishTime: t0 + 1 });
    expect(await env.onchain('dai')).toEqual({ price: (ONE * 97n) / 100n, publishTime: t0 + 1 });
  });

  it('exports the keeper metrics and /status', async () => {
    // The on-chain gauges follow the keeper's refresh after a push: wait for it rather than racing it.
    await waitFor(
      'on-chain DAI gauge refreshed',
      async () =>
        Math.abs((metricValue(await keeper.metrics(), 'keeper_onchain_price', { feed: 'DAI/USD' }) ?? 0) - 0.97) < 1e-8,
      30_000,
    );
    const text = await keeper.metrics();
    expect(metricValue(text, 'price_updates_total', { feed: 'USDC/USD' })).toBe(2);
    expect(metricValue(text, 'price_updates_total', { feed: 'USDT/USD' })).toBe(2);
    expect(metricValue(text, 'keeper_transactions_total', { outcome: 'success' })).toBe(3);
    expect(metricValue(text, 'tx_latency_seconds_count')).toBe(3);
    expect(metricValue(text, 'keeper_is_active')).toBe(1);
    expect(metricValue(text, 'sse_connection_status')).toBe(1);
    expect(metricValue(text, 'gas_cost_gwei')).toBeGreaterThan(0);
    expect(metricValue(text, 'keeper_onchain_price', { feed: 'DAI/USD' })).toBeCloseTo(0.97, 8);
    expect(metricValue(text, 'pyth_source_price', { alias: 'DAI/USD' })).toBeCloseTo(0.97, 8);
    expect(metricValue(text, 'last_update_age_seconds', { feed: 'USDC/USD' })).toBeGreaterThanOrEqual(90);
    expect(metricValue(text, 'keeper_wallet_balance_eth')).toBeGreaterThan(1);
    expect(
      metricValue(text, 'pyth_price_update_attempts_total', { alias: 'USDT/USD', trigger: 'yes', status: 'success' }),
    ).toBe(2);
    // The failure-mode metrics: nothing in flight, nothing failing, every feed fresh on the chain's clock.
    expect(metricValue(text, 'keeper_in_flight_age_seconds')).toBe(0);
    expect(metricValue(text, 'keeper_current_bid_gwei')).toBe(0);
    expect(metricValue(text, 'keeper_consecutive_push_failures')).toBe(0);
    expect(metricValue(text, 'keeper_replacements_total')).toBe(0);
    expect(metricValue(text, 'keeper_onchain_refresh_failures_total')).toBe(0);
    expect(metricValue(text, 'keeper_health_reason', { reason: 'tx-stuck' })).toBe(0);
    expect(metricValue(text, 'keeper_health_reason', { reason: 'push-failures' })).toBe(0);
    expect(metricValue(text, 'keeper_feed_stale', { feed: 'USDC/USD' })).toBe(0);
    expect(Math.abs(metricValue(text, 'keeper_chain_clock_offset_seconds') ?? 99)).toBeLessThanOrEqual(2);
    expect(metricValue(text, 'keeper_source_age_seconds', { feed: 'DAI/USD' })).toBeGreaterThanOrEqual(90);
    const status = await keeper.status();
    expect(status.role).toBe('active');
    expect(status.health).toEqual({ healthy: true, role: 'active', reasons: [], staleFeeds: [] });
    expect(status.keeper.lastPush).toMatchObject({ status: 'mined', feeds: ['USDC/USD', 'DAI/USD'] });
    expect(status.keeper.pushesTotal).toBe(3);
  });

  it('rate-limits the operations endpoints', async () => {
    const codes = await Promise.all(
      Array.from({ length: 40 }, async () => (await fetch(`${keeper.url}/health`)).status),
    );
    expect(codes.filter((c) => c === 200).length).toBeGreaterThan(0);
    expect(codes.filter((c) => c === 429).length).toBeGreaterThan(0);
  });
});

/**
 * Each attempt's own chain and keeper (`start`): jest retries a failed test once, and a retry must
 * not find the first attempt's pushes on its chain.
 */
function keeperAttempts(start: (env: Env) => Promise<InProcessKeeper>): { env: Env; keeper: InProcessKeeper } {
  const attempt = {} as { env: Env; keeper: InProcessKeeper };
  beforeEach(async () => {
    attempt.env = await startEnv();
    attempt.keeper = await start(attempt.env);
  });
  afterEach(async () => {
    await attempt.keeper?.stop();
    await attempt.env?.close();
  });
  return attempt;
}

describe('keeper: heartbeat', () => {
  const attempt = keeperAttempts((env) =>
    startKeeper(env, { DEBOUNCE_MS: '200' }, priceConfigYaml({ time_difference: 3, price_deviation: 50 }, ['usdc'])),
  );

  it('pushes an unchanged price once the source is time_difference newer, not before', async () => {
    const { env, keeper } = attempt;
    const t0 = nowS() - 100;
    await env.produce([{ feed: 'usdc', price: ONE, publishTime: t0 }]);
    await waitFor('first push', async () => (await env.onchain('usdc'))?.publishTime === t0);
    await env.produce([{ feed: 'usdc', price: ONE, publishTime: t0 + 2 }]);
    await waitFor('t0+2 ingested', async () => (await keeper.status()).keeper.feeds[0]?.source?.publishTime === t0 + 2);
    const seenAt = Date.now();
    await waitFor(
      'a later decision',
      async () => ((await keeper.status()).keeper.lastOnchainRefreshAtMs ?? 0) > seenAt + 400,
    );
    expect((await env.onchain('usdc'))?.publishTime).toBe(t0);
    await env.produce([{ feed: 'usdc', price: ONE, publishTime: t0 + 3 }]);
    await waitFor('heartbeat push', async () => (await env.onchain('usdc'))?.publishTime === t0 + 3);
    expect((await env.updateEvents()).map((e) => e.publishTime)).toEqual([t0, t0 + 3]);
    expect((await keeper.status()).keeper.lastPush?.feeds).toEqual(['USDC/USD']);
  });
});

describe('keeper: wallet out of funds', () => {
  const attempt = keeperAttempts(async (env) => {
    await env.anvil.rpc('anvil_setBalance', [env.keeperAddress, '0x3e8']); // 1000 wei
    return startKeeper(env, { DEBOUNCE_MS: '200' }, priceConfigYaml({ price_deviation: 1 }, ['usdc']));
  });

  it('answers /health 503 balance-low, exports an alert-ready metric, and recovers once funded', async () => {
    const { env, keeper } = attempt;
    const t0 = nowS() - 100;
    await env.produce([{ feed: 'usdc', price: ONE, publishTime: t0 }]);
    await waitFor(
      'push failed for funds',
      async () => (await keeper.status()).keeper.lastError?.kind === 'insufficient-funds',
    );
    const res = await fetch(`${keeper.url}/health`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { reasons: string[] }).reasons).toContain('balance-low');
    const text = await keeper.metrics();
    expect(metricValue(text, 'keeper_wallet_balance_eth')).toBeLessThan(
      metricValue(text, 'keeper_wallet_balance_floor_eth')!,
    );
    expect(metricValue(text, 'keeper_health_reason', { reason: 'balance-low' })).toBe(1);
    expect(metricValue(text, 'keeper_push_errors_total', { kind: 'insufficient-funds' })).toBeGreaterThanOrEqual(1);
    expect(await env.updateEvents()).toHaveLength(0);

    await env.anvil.rpc('anvil_setBalance', [env.keeperAddress, '0x8ac7230489e80000']); // 10 ETH
    await env.produce([{ feed: 'usdc', price: ONE, publishTime: t0 + 1 }]);
    await waitFor('pushed after funding', async () => (await env.onchain('usdc'))?.publishTime === t0 + 1);
    await waitFor('healthy', async () => (await fetch(`${keeper.url}/health`)).status === 200);
  });
});
