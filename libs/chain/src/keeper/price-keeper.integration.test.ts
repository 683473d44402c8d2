import { type PythUpdate } from '@stableyield/schemas';
import { pythAbi, PriceKeeper, keeperHealth, type FeedConfig, type FeedId, type RunOutcome } from '../index';
import { mockPythUpdateRecord, testFeedConfig } from '../testing/pyth-update';
import { FEEDS, nowS, startChain, stopKeeperAndChain, type Chain } from '../../test/fixtures';

const feed = testFeedConfig;

/** A pyth.updates record as the simulator's Hermes gives it for MockPyth: one blob per feed. */
const hermes = (prices: { id: FeedId; price: bigint; publishTime: number }[]): PythUpdate =>
  mockPythUpdateRecord(prices, 10_000n);

async function pushEvents(chain: Chain): Promise<{ id: string; price: bigint; tx: string }[]> {
  const logs = await chain.anvil.client.getContractEvents({
    address: chain.contract,
    abi: pythAbi,
    eventName: 'PriceFeedUpdate',
    fromBlock: 0n,
  });
  return logs.map((l) => ({ id: l.args.id!, price: l.args.price!, tx: l.transactionHash }));
}

describe('PriceKeeper against anvil + MockPyth', () => {
  let chain: Chain;
  let keeper: PriceKeeper | undefined;
  afterEach(() => stopKeeperAndChain(keeper, chain).then(() => (keeper = undefined)));

  function makeKeeper(feeds: FeedConfig[], debounceMs = 60_000, onPushed?: (o: RunOutcome) => void): PriceKeeper {
    const { publicClient } = chain.clients();
    const k = new PriceKeeper(
      {
        feeds,
        decision: { maxStalenessS: 3_600, includeEarly: true, earlyFraction: 0.5 },
        debounceMs,
        onchainRefreshMs: 60_000,
      },
      {
        publicClient,
        contract: chain.contract,
        submitter: chain.submitter(),
        ...(onPushed
          ? {
              events: {
                onPush: (result, feedsPushed) => onPushed({ pushed: true, decisions: [], feeds: feedsPushed, result }),
              },
            }
          : {}),
      },
    );
    return k;
  }

  it('pushes on deviation and not below it; several feeds go in one transaction; on-chain equals Hermes', async () => {
    chain = await startChain();
    keeper = makeKeeper([feed('USDC/USD', FEEDS.usdc), feed('USDT/USD', FEEDS.usdt), feed('DAI/USD', FEEDS.dai)]);
    await keeper.start();
    const t = nowS() - 100;
    keeper.ingest(
      hermes([
        { id: FEEDS.usdc, price: 100_000_000n, publishTime: t },
        { id: FEEDS.usdt, price: 100_000_000n, publishTime: t },
        { id: FEEDS.dai, price: 100_000_000n, publishTime: t },
      ]),
    );
    const first = await keeper.runOnce();
    expect(first.pushed && first.result?.status).toBe('mined');
    expect(new Set((await pushEvents(chain)).map((e) => e.tx)).size).toBe(1); // 3 feeds, 1 tx

    // 0.1 % moves: below the 0.5 % threshold, no transaction.
    keeper.ingest(
      hermes([
        { id: FEEDS.usdc, price: 100_100_000n, publishTime: t + 1 },
        { id: FEEDS.usdt, price: 99_900_000n, publishTime: t + 1 },
        { id: FEEDS.dai, price: 100_000_000n, publishTime: t + 1 },
      ]),
    );
    const quiet = await keeper.runOnce();
    expect(quiet.pushed).toBe(false);
    expect(await pushEvents(chain)).toHaveLength(3);

    // USDC and USDT move 0.6 % (yes), DAI 0.3 % (early: rides along); one transaction.
    keeper.ingest(
      hermes([
        { id: FEEDS.usdc, price: 100_600_000n, publishTime: t + 2 },
        { id: FEEDS.usdt, price: 99_400_000n, publishTime: t + 2 },
        { id: FEEDS.dai, price: 100_300_000n, publishTime: t + 2 },
      ]),
    );
    const moved = await keeper.runOnce();
    expect(moved.pushed).toBe(true);
    if (!moved.pushed) return;
    expect(moved.feeds.map((f) => [f.alias, f.condition])).toEqual([
      ['USDC/USD', 'yes'],
      ['USDT/USD', 'yes'],
      ['DAI/USD', 'early'],
    ]);
    const events = await pushEvents(chain);
    expect(events).toHaveLength(6);
    expect(new Set(events.slice(3).map((e) => e.tx)).size).toBe(1);
    const status = keeper.status();
    for (const f of status.feeds) expect(f.onchain).toEqual(f.source); // on-chain prices equal the Hermes ones
    expect(status.feeds.map((f) => f.onchain?.price)).toEqual(['100600000', '99400000', '100300000']);
  });

  it('pushes on heartbeat (time_difference) even without a price move', async () => {
    chain = await startChain();
    keeper = makeKeeper([feed('USDC/USD', FEEDS.usdc, { timeDifferenceS: 10 })]);
    await keeper.start();
    const t = nowS() - 100;
    keeper.ingest(hermes([{ id: FEEDS.usdc, price: 100_000_000n, publishTime: t }]));
    expect((await keeper.runOnce()).pushed).toBe(true);
    keeper.ingest(hermes([{ id: FEEDS.usdc, price: 100_000_000n, publishTime: t + 9 }]));
    expect((await keeper.runOnce()).pushed).toBe(false);
    keeper.ingest(hermes([{ id: FEEDS.usdc, price: 100_000_000n, publishTime: t + 10 }]));
    const beat = await keeper.runOnce();
    expect(beat.pushed && beat.feeds[0]?.reasons).toEqual(['heartbeat']);
    expect(keeper.status().feeds[0]?.onchain?.publishTime).toBe(t + 10);
  });

  it('debounces: updates within DEBOUNCE_MS end up in one transaction, and /health turns healthy', async () => {
    chain = await startChain();
    const pushes: RunOutcome[] = [];
    keeper = makeKeeper([feed('USDC/USD', FEEDS.usdc), feed('USDT/USD', FEEDS.usdt)], 300, (o) => pushes.push(o));
    await keeper.start();
    const thresholds = {
      maxOnchainAgeS: 60,
      maxInputSilenceMs: 10_000,
      maxRefreshSilenceMs: 10_000,
      minBalanceWei: 10n ** 15n,
      maxInFlightMs: 60_000,
      maxConsecutiveFailures: 3,
    };
    expect(keeperHealth(keeper.status(), thresholds, Date.now()).reasons).toEqual(['stale-oracle', 'no-input']);
    const t = nowS();
    keeper.ingest(hermes([{ id: FEEDS.usdc, price: 100_000_000n, publishTime: t }]));
    keeper.ingest(hermes([{ id: FEEDS.usdt, price: 100_000_000n, publishTime: t }]));
    const deadline = Date.now() + 10_000;
    while (pushes.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(pushes).toHaveLength(1);
    const only = pushes[0]!;
    expect(only.pushed && only.feeds.map((f) => f.alias)).toEqual(['USDC/USD', 'USDT/USD']);
    expect(new Set((await pushEvents(chain)).map((e) => e.tx)).size).toBe(1);
    await keeper.refreshOnchain();
    expect(keeperHealth(keeper.status(), thresholds, Date.now())).toEqual({
      healthy: true,
      reasons: [],
      staleFeeds: [],
    });
  });

  it(
    'forcePushAll (SIGUSR1) pushes feeds within thresholds; an empty wallet is a classified ' + 'error and balance-low',
    async () => {
      chain = await startChain();
      const pushes: RunOutcome[] = [];
      keeper = makeKeeper([feed('USDC/USD', FEEDS.usdc)], 60_000, (o) => pushes.push(o));
      await keeper.start();
      const t = nowS() - 50;
      keeper.ingest(hermes([{ id: FEEDS.usdc, price: 100_000_000n, publishTime: t }]));
      expect((await keeper.runOnce()).pushed).toBe(true);
      keeper.ingest(hermes([{ id: FEEDS.usdc, price: 100_000_001n, publishTime: t + 1 }]));
      expect((await keeper.runOnce()).pushed).toBe(false);

      keeper.forcePushAll();
      const deadline = Date.now() + 10_000;
      while (pushes.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(pushes[1]?.pushed && pushes[1].feeds[0]?.reasons).toEqual(['forced']);
      // onPush fires before the keeper's own read-back of the chain: read it here, not race it.
      await keeper.refreshOnchain();
      expect(keeper.status().feeds[0]?.onchain?.price).toBe('100000001');

      await chain.anvil.rpc('anvil_setBalance', [chain.keeper, '0x2710']);
      keeper.ingest(hermes([{ id: FEEDS.usdc, price: 200_000_000n, publishTime: t + 2 }]));
      const broke = await keeper.runOnce();
      expect(broke.pushed && broke.error).toBe('insufficient-funds');
      const status = keeper.status();
      expect(status.lastError?.kind).toBe('insufficient-funds');
      const health = keeperHealth(
        status,
        {
          maxOnchainAgeS: 3_600,
          maxInputSilenceMs: 10_000,
          maxRefreshSilenceMs: 10_000,
          minBalanceWei: 10n ** 15n,
          maxInFlightMs: 60_000,
          maxConsecutiveFailures: 3,
        },
        Date.now(),
      );
      expect(health).toEqual({ healthy: false, reasons: ['balance-low'], staleFeeds: [] });
    },
  );
});
