// Issue 22, items 4, 5, 7, 8 and 10 at the PriceKeeper level, against anvil + MockPyth: the chain's
// clock, lagging input, a demoted replica, stuck/failing pushes in /health, the on-chain refresh.
import { HttpRequestError } from 'viem';
import { type PythUpdate } from '@stableyield/schemas';
import {
  feedsOnChain,
  feePolicy,
  keeperHealth,
  PriceKeeper,
  pythAbi,
  systemClock,
  type Clock,
  type FeedId,
  type HealthThresholds,
  type PriceKeeperOptions,
  type TxSubmitter,
} from '../index';
import { mockPythUpdateRecord, testFeedConfig } from '../testing/pyth-update';
import {
  FEEDS,
  installMulticall3,
  interceptedTransport,
  nowS,
  startChain,
  stopKeeperAndChain,
  type Chain,
} from '../../test/fixtures';

const feed = testFeedConfig;

/** A pyth.updates record as the simulator's Hermes gives it for MockPyth: one blob per feed. */
const hermes = (prices: { id: FeedId; price: bigint; publishTime: number }[]): PythUpdate =>
  mockPythUpdateRecord(prices, 10_000n);

const ONE = 100_000_000n;
const HEALTH: HealthThresholds = {
  maxOnchainAgeS: 35,
  maxInputSilenceMs: 60_000,
  maxRefreshSilenceMs: 60_000,
  minBalanceWei: 0n,
  maxInFlightMs: 60_000,
  maxConsecutiveFailures: 3,
};

describe('PriceKeeper failure modes against anvil + MockPyth', () => {
  let chain: Chain;
  let keeper: PriceKeeper | undefined;
  afterEach(() => stopKeeperAndChain(keeper, chain).then(() => (keeper = undefined)));

  function makeKeeper(
    over: Partial<PriceKeeperOptions> = {},
    deps: { clock?: Clock; submitter?: TxSubmitter; transport?: ReturnType<typeof interceptedTransport> } = {},
  ): PriceKeeper {
    const { publicClient } = chain.clients(deps.transport);
    return new PriceKeeper(
      {
        feeds: [feed('USDC/USD', FEEDS.usdc)],
        decision: { maxStalenessS: 30, includeEarly: false, earlyFraction: 0 },
        debounceMs: 60_000,
        onchainRefreshMs: 60_000,
        ...over,
      },
      {
        publicClient,
        contract: chain.contract,
        submitter: deps.submitter ?? chain.submitter(),
        ...(deps.clock ? { clock: deps.clock } : {}),
      },
    );
  }

  const eventsCount = async (): Promise<number> =>
    (
      await chain.anvil.client.getContractEvents({
        address: chain.contract,
        abi: pythAbi,
        eventName: 'PriceFeedUpdate',
        fromBlock: 0n,
      })
    ).length;

  describe('the chain clock (item 4)', () => {
    it('a chain 40 s ahead of the host: the age, /health and max-staleness follow the chain', async () => {
      chain = await startChain();
      keeper = makeKeeper();
      await keeper.start();
      const t = nowS();
      keeper.ingest(hermes([{ id: FEEDS.usdc, price: ONE, publishTime: t - 2 }]));
      expect((await keeper.runOnce()).pushed).toBe(true);
      await chain.anvil.rpc('evm_increaseTime', [40]);
      await chain.anvil.rpc('evm_mine');
      await keeper.refreshOnchain();

      const status = keeper.status();
      expect(status.chainTimeS).toBeGreaterThanOrEqual(t + 40);
      expect(status.chainClockOffsetS).toBeGreaterThanOrEqual(39);
      expect(keeperHealth(status, HEALTH, Date.now())).toMatchObject({
        reasons: ['stale-oracle'],
        staleFeeds: ['USDC/USD'],
      });

      keeper.ingest(hermes([{ id: FEEDS.usdc, price: ONE, publishTime: t - 1 }])); // same price, 1 s newer
      const run = await keeper.runOnce();
      expect(run.pushed && run.feeds[0]?.reasons).toEqual(['max-staleness']);
    });

    it('a host 31 s fast: no max-staleness storm (one transaction over ten slots, not ten)', async () => {
      chain = await startChain();
      const fast: Clock = { ...systemClock, now: () => Date.now() + 31_000 };
      keeper = makeKeeper({}, { clock: fast });
      await keeper.start();
      const t = nowS();
      let pushes = 0;
      for (let slot = 0; slot < 10; slot++) {
        keeper.ingest(hermes([{ id: FEEDS.usdc, price: ONE, publishTime: t + slot }]));
        if ((await keeper.runOnce()).pushed) pushes++;
      }
      expect(pushes).toBe(1); // the first, not-on-chain
      expect(await eventsCount()).toBe(1);
      expect(keeperHealth(keeper.status(), HEALTH, fast.now()).reasons).not.toContain('stale-oracle');
    });
  });

  describe('lagging input (item 5)', () => {
    it(
      'input 40 s behind the chain: max-staleness pushes limited by the publish-time gain, not ' + 'one per slot',
      async () => {
        chain = await startChain();
        keeper = makeKeeper({
          decision: { maxStalenessS: 30, stalenessMinGainS: 15, includeEarly: false, earlyFraction: 0 },
          maxSourceAgeS: 60,
        });
        await keeper.start();
        const t = nowS();
        let pushes = 0;
        for (let slot = 0; slot < 20; slot++) {
          keeper.ingest(hermes([{ id: FEEDS.usdc, price: ONE, publishTime: t - 40 + slot }]));
          if ((await keeper.runOnce()).pushed) pushes++;
        }
        expect(pushes).toBe(2); // not-on-chain at t−40, then max-staleness once 15 s were gained
        expect(await eventsCount()).toBe(2);
      },
    );

    it('drops Hermes prices older than the bound and counts them; only a newer publish time is input', async () => {
      chain = await startChain();
      keeper = makeKeeper({ maxSourceAgeS: 60 });
      await keeper.start();
      const t = nowS();
      keeper.ingest(hermes([{ id: FEEDS.usdc, price: ONE, publishTime: t - 90 }]));
      expect(keeper.status().feeds[0]).toMatchObject({ sourcesDropped: 1 });
      expect(keeper.status().feeds[0]?.source).toBeUndefined();
      expect(keeper.status().lastSourceAtMs).toBeUndefined(); // a dropped price is no input

      keeper.ingest(hermes([{ id: FEEDS.usdc, price: ONE, publishTime: t - 5 }]));
      const firstAt = keeper.status().lastSourceAtMs;
      expect(firstAt).toBeDefined();
      await new Promise((r) => setTimeout(r, 20));
      keeper.ingest(hermes([{ id: FEEDS.usdc, price: ONE, publishTime: t - 5 }])); // the same slot again
      expect(keeper.status().lastSourceAtMs).toBe(firstAt);
    });
  });

  describe('a demoted replica (item 7)', () => {
    it('pushes nothing once it lost the input, forgets its prices, and pushes again when re-assigned', async () => {
      chain = await startChain();
      keeper = makeKeeper({ debounceMs: 50, onchainRefreshMs: 100 });
      await keeper.start();
      const t = nowS();
      keeper.ingest(hermes([{ id: FEEDS.usdc, price: ONE, publishTime: t - 5 }]));
      keeper.setActive(false); // the partition moved while the debounce window was open
      keeper.forcePushAll();
      await new Promise((r) => setTimeout(r, 500)); // windows and refresh ticks pass
      expect((await keeper.runOnce()).pushed).toBe(false);
      expect(await eventsCount()).toBe(0);
      expect(keeper.status()).toMatchObject({ active: false, pushesTotal: 0 });
      expect(keeper.status().feeds[0]?.source).toBeUndefined();
      keeper.ingest(hermes([{ id: FEEDS.usdc, price: ONE, publishTime: t - 4 }])); // a standby ingests nothing
      expect(keeper.status().feeds[0]?.source).toBeUndefined();

      keeper.setActive(true);
      keeper.ingest(hermes([{ id: FEEDS.usdc, price: ONE, publishTime: t - 3 }]));
      const deadline = Date.now() + 10_000;
      while ((await eventsCount()) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(await eventsCount()).toBe(1);
    });
  });

  describe('visible failures (item 8)', () => {
    it('a stuck transaction and pushes left pending show as tx-stuck and push-failures', async () => {
      chain = await startChain();
      await chain.anvil.rpc('evm_setAutomine', [false]);
      keeper = makeKeeper({}, { submitter: chain.submitter({ stuckAfterMs: 100, maxReplacements: 0 }) });
      await keeper.start();
      const t = nowS();
      for (let slot = 0; slot < 2; slot++) {
        keeper.ingest(hermes([{ id: FEEDS.usdc, price: ONE, publishTime: t - 5 + slot }]));
        const run = await keeper.runOnce();
        expect(run.pushed && run.result?.status).toBe('pending');
      }
      const status = keeper.status();
      expect(status.consecutiveFailures).toBe(2);
      expect(BigInt(status.inFlight!.maxFeePerGasWei)).toBeGreaterThan(0n);
      const later = status.inFlight!.sinceMs + 61_000;
      expect(keeperHealth(status, { ...HEALTH, maxConsecutiveFailures: 2 }, later).reasons).toEqual(
        expect.arrayContaining(['tx-stuck', 'push-failures']),
      );
      await chain.anvil.rpc('evm_setAutomine', [true]);
      keeper.ingest(hermes([{ id: FEEDS.usdc, price: ONE, publishTime: t }]));
      await chain.anvil.rpc('evm_mine');
      const landed = await keeper.runOnce(true); // forced: within thresholds otherwise
      expect(landed.pushed && landed.result?.status).toBe('mined');
      expect(keeper.status().consecutiveFailures).toBe(0);
    });
  });

  describe('start-up feed check (item 8)', () => {
    it('feedsOnChain tells which configured ids the contract knows', async () => {
      chain = await startChain();
      keeper = makeKeeper();
      await keeper.start();
      const { publicClient } = chain.clients();
      expect(await feedsOnChain(publicClient, chain.contract, [FEEDS.usdc, FEEDS.dai])).toEqual(
        new Map([
          [FEEDS.usdc, false],
          [FEEDS.dai, false],
        ]),
      );
      keeper.ingest(hermes([{ id: FEEDS.usdc, price: ONE, publishTime: nowS() - 1 }]));
      expect((await keeper.runOnce()).pushed).toBe(true);
      expect(await feedsOnChain(publicClient, chain.contract, [FEEDS.usdc, FEEDS.dai])).toEqual(
        new Map([
          [FEEDS.usdc, true],
          [FEEDS.dai, false],
        ]),
      );
    });
  });

  describe('the on-chain refresh (item 10)', () => {
    it('reads every feed in one eth_call where the chain has Multicall3', async () => {
      chain = await startChain();
      await installMulticall3(chain.anvil);
      const calls: string[] = [];
      const transport = interceptedTransport(chain.anvil.httpUrl, (method) => {
        calls.push(method);
        return undefined;
      });
      const feeds = [feed('USDC/USD', FEEDS.usdc), feed('USDT/USD', FEEDS.usdt), feed('DAI/USD', FEEDS.dai)];
      keeper = makeKeeper({ feeds }, { transport });
      await keeper.start();
      keeper.ingest(hermes(feeds.map((f) => ({ id: f.id, price: ONE, publishTime: nowS() - 5 }))));
      expect((await keeper.runOnce()).pushed).toBe(true);

      calls.length = 0;
      expect(await keeper.refreshOnchain()).toBe(true);
      expect(calls.filter((m) => m === 'eth_call')).toHaveLength(1);
      expect(keeper.status()).toMatchObject({ multicall: true });
      expect(keeper.status().feeds.map((f) => f.onchain?.price)).toEqual([
        ONE.toString(),
        ONE.toString(),
        ONE.toString(),
      ]);
    });

    it('retries a failing refresh with back-off, and counts the failures that outlast the retries', async () => {
      chain = await startChain();
      let failNext = 0;
      const transport = interceptedTransport(chain.anvil.httpUrl, (method) => {
        if (method !== 'eth_call' || failNext === 0) return undefined;
        failNext--;
        throw new HttpRequestError({ url: chain.anvil.httpUrl, status: 503 });
      });
      keeper = makeKeeper(
        { refreshAttempts: 3 },
        { transport, submitter: chain.submitter({}, undefined, undefined, feePolicy({ maxGasPriceGwei: 500 })) },
      );
      await keeper.start();
      failNext = 2; // two failed attempts, the third succeeds
      expect(await keeper.refreshOnchain()).toBe(true);
      expect(keeper.status().onchainRefreshFailures).toBe(0);
      failNext = 1_000;
      expect(await keeper.refreshOnchain()).toBe(false);
      expect(keeper.status().onchainRefreshFailures).toBe(1);
      expect(keeper.status().lastOnchainRefreshError).toBeDefined();
    });
  });
});
