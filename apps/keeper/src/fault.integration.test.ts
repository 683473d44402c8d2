// The keeper's fault run (issue 22, "done when"): the real main.ts against a private anvil and the
// broker, Hermes prices every 400 ms. Normal phase, then a fault phase in which the keeper runs with
// its host clock 60 s fast (Debian's faketime) and a reorg-like nonce gap is opened under it: once
// it has pushed, the chain's nonce for its account is set back by one (anvil_setNonce), as if a
// reorg had undone that transaction. (evm_revert would also wind anvil's clock back, which no
// reorg does.) It must recover without a storm (transactions per minute within 2× of normal) and
// the oracle must stay within its bound.
import { existsSync } from 'node:fs';
import {
  explainFailure,
  nowS,
  priceConfigFile,
  priceConfigYaml,
  spawnKeeper,
  startEnv,
  waitFor,
  type Env,
  type FeedName,
  type KeeperProcess,
} from '../test/harness';

const FAKETIME = ['/usr/bin/faketime', '/usr/local/bin/faketime'].find((p) => existsSync(p));
const ONE = 100_000_000n;
const FEEDS: FeedName[] = ['usdc', 'usdt', 'dai'];
const MAX_STALENESS_S = 10;
const PHASE_MS = 30_000;

// CI installs faketime (scripts/test-all.sh): there a missing one fails the run instead of skipping it.
const describeWithFaketime = FAKETIME || process.env.CI === 'true' ? describe : describe.skip;
if (!FAKETIME)
  console.warn(
    'faketime is not installed (apt-get install faketime): ' +
      `the keeper fault run ${process.env.CI === 'true' ? 'fails' : 'is skipped'}`,
  );

describeWithFaketime('keeper fault run: nonce gap and a host clock 60 s fast', () => {
  let current: Env | undefined;
  const procs: KeeperProcess[] = [];
  let producing = true;

  // A fresh chain and topic per attempt: a retried run must not inherit the first one's state.
  beforeEach(async () => {
    producing = true;
    current = await startEnv();
  });
  afterEach(async () => {
    producing = false;
    for (const p of procs.splice(0))
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await current?.close();
  });

  it('recovers without a storm and keeps the oracle within its bound', async () => {
    const env = current!;
    const cfg = priceConfigFile(priceConfigYaml({ price_deviation: 1, time_difference: 3600 }, FEEDS), 'keeper-fault-');
    const vars = env.baseEnv({
      PRICE_CONFIG_FILE: cfg,
      DEBOUNCE_MS: '200',
      MAX_STALENESS: String(MAX_STALENESS_S),
      MAX_SOURCE_AGE_S: '60',
      LOG_LEVEL: 'info',
    });
    const nonce = () => env.anvil.client.getTransactionCount({ address: env.keeperAddress, blockTag: 'latest' });

    // Hermes: the same prices every 400 ms, published now (so only max-staleness moves the chain).
    const producer = (async () => {
      while (producing) {
        await env.produce(FEEDS.map((feed) => ({ feed, price: ONE, publishTime: nowS() }))).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 400));
      }
    })();

    // The oracle's age, the oldest feed's, on two clocks: the chain's as consumers' calls see it (the
    // pending block's timestamp) and the wall clock (the same on anvil, unless something moved it).
    let maxAgeS = 0;
    let maxWallAgeS = 0;
    let sampling = false;
    const sampler = setInterval(() => {
      if (!sampling) return;
      void Promise.all([env.anvil.client.getBlock({ blockTag: 'pending' }), ...FEEDS.map((f) => env.onchain(f))]).then(
        ([pending, ...prices]) => {
          const oldest = Math.min(...prices.map((p) => p?.publishTime ?? 0));
          maxAgeS = Math.max(maxAgeS, Number(pending.timestamp) - oldest);
          maxWallAgeS = Math.max(maxWallAgeS, nowS() - oldest);
        },
      );
    }, 500);

    const normal = await spawnKeeper(vars);
    procs.push(normal);
    await explainFailure(procs, async () => {
      await waitFor(
        'every feed on-chain',
        async () => (await Promise.all(FEEDS.map((f) => env.onchain(f)))).every((p) => p !== undefined),
        60_000,
      );
      const n0 = await nonce();
      await new Promise((r) => setTimeout(r, PHASE_MS));
      const normalTx = (await nonce()) - n0;

      // Fault: the keeper restarts with its clock 60 s fast…
      normal.child.kill('SIGTERM');
      await normal.exited;
      const skewed = await spawnKeeper(vars, [FAKETIME!, '-f', '+60s']);
      procs.push(skewed);
      await waitFor('the skewed keeper active', async () => (await skewed.status())?.role === 'active', 60_000);
      sampling = true;
      // …and, once it has pushed, a reorg-like gap: the chain forgets its last nonce.
      const before = await nonce();
      await waitFor('a push by the skewed keeper', async () => (await nonce()) > before, 60_000);
      await env.anvil.rpc('anvil_setNonce', [env.keeperAddress, `0x${before.toString(16)}`]);
      const f0 = await nonce();
      await new Promise((r) => setTimeout(r, PHASE_MS));
      const faultTx = (await nonce()) - f0;
      sampling = false;
      const status = (await skewed.status())?.keeper;

      const report = {
        normalTxPerMin: (normalTx * 60_000) / PHASE_MS,
        faultTxPerMin: (faultTx * 60_000) / PHASE_MS,
        maxOracleAgeS: maxAgeS,
        maxOracleWallClockAgeS: maxWallAgeS,
        chainClockOffsetS: status?.chainClockOffsetS,
      };
      console.log(JSON.stringify({ metric: 'keeper_fault_run', ...report }));
      expect(normalTx).toBeGreaterThan(0);
      expect(faultTx).toBeGreaterThan(0); // it recovered from the gap: pushes land again
      expect(faultTx).toBeLessThanOrEqual(2 * normalTx); // no storm
      // On the chain's clock the oracle stays within MAX_STALENESS plus a push's round trip and the
      // reorg's undo; on any clock far inside consumers' bound (MockPyth's validTimePeriod, 60 s).
      expect(maxAgeS).toBeLessThan(2 * MAX_STALENESS_S);
      expect(maxWallAgeS).toBeLessThan(60);
      // The keeper sees its host's skew (chain − host ≈ −60 s) and measures every age on the chain's clock.
      expect(status?.chainClockOffsetS).toBeLessThanOrEqual(-55);
      expect(status?.chainClockOffsetS).toBeGreaterThanOrEqual(-65);
    });
    producing = false;
    clearInterval(sampler);
    await producer;
  });
});
