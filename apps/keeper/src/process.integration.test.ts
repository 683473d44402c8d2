// The real main.ts in child processes: signals, a restart with a transaction pending, two replicas.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  explainFailure,
  feedId,
  nowS,
  priceConfigYaml,
  spawnKeeper,
  startEnv,
  waitFor,
  type Env,
  type KeeperProcess,
} from '../test/harness';

const ONE = 100_000_000n;

function configFile(yaml = priceConfigYaml({ price_deviation: 1, time_difference: 3600 }, ['usdc'])): string {
  const file = join(mkdtempSync(join(tmpdir(), 'keeper-proc-')), 'prices.yaml');
  writeFileSync(file, yaml);
  return file;
}

const kill = async (p: KeeperProcess | undefined, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill(signal);
  await p.exited;
};

const role = async (p: KeeperProcess): Promise<string | undefined> => (await p.status())?.role;

/**
 * Each attempt's own stack env (`env()` once beforeEach ran: its own anvil, contract and topic) and
 * the keepers it spawns, killed after it. Per attempt, not per describe: jest retries a failed
 * integration test once, and a retry on the first attempt's chain (a transaction pending at nonce 0,
 * automine off) with its keepers still running could never pass.
 */
function processSuite(): { env: () => Env; procs: KeeperProcess[] } {
  let env: Env | undefined;
  const procs: KeeperProcess[] = [];
  beforeEach(async () => {
    env = await startEnv();
  });
  afterEach(async () => {
    for (const p of procs.splice(0)) await kill(p);
    await env?.close();
    env = undefined;
  });
  return { env: () => env!, procs };
}

describe('keeper process: signals', () => {
  let env: Env;
  let keeper: KeeperProcess | undefined;

  beforeAll(async () => {
    env = await startEnv();
  });
  afterEach(async () => kill(keeper));
  afterAll(async () => env?.close());

  it('SIGUSR1 forces a push of a price within the thresholds', async () => {
    keeper = await spawnKeeper(env.baseEnv({ PRICE_CONFIG_FILE: configFile(), DEBOUNCE_MS: '200', LOG_LEVEL: 'info' }));
    await waitFor('active', async () => (await role(keeper!)) === 'active', 60_000);
    const t0 = nowS() - 100;
    await env.produce([{ feed: 'usdc', price: ONE, publishTime: t0 }]);
    await waitFor('first push', async () => (await env.onchain('usdc'))?.publishTime === t0);
    await env.produce([{ feed: 'usdc', price: ONE + 10_000n, publishTime: t0 + 1 }]); // +0.01 %
    await waitFor('ingested and held', async () => {
      const feed = (await keeper!.status())?.keeper.feeds[0];
      return feed?.source?.publishTime === t0 + 1 && feed.lastDecision?.condition === 'no';
    });
    expect((await env.onchain('usdc'))?.publishTime).toBe(t0);
    keeper.child.kill('SIGUSR1');
    await waitFor('forced push', async () => (await env.onchain('usdc'))?.publishTime === t0 + 1);
    expect(await env.onchain('usdc')).toEqual({ price: ONE + 10_000n, publishTime: t0 + 1 });
    expect(keeper.output()).toContain('force_push_requested');
  });

  it('SIGTERM waits for the pending transaction to be mined before exiting', async () => {
    keeper = await spawnKeeper(
      env.baseEnv({ PRICE_CONFIG_FILE: configFile(), DEBOUNCE_MS: '200', STUCK_AFTER_MS: '60000', LOG_LEVEL: 'info' }),
    );
    await waitFor('active', async () => (await role(keeper!)) === 'active', 60_000);
    await env.anvil.rpc('evm_setAutomine', [false]);
    try {
      const t0 = (await env.onchain('usdc'))!.publishTime + 10;
      await env.produce([{ feed: 'usdc', price: ONE * 2n, publishTime: t0 }]);
      await waitFor('transaction pending', async () => (await keeper!.status())?.keeper.inFlight !== undefined);
      keeper.child.kill('SIGTERM');
      await waitFor('shutdown started', () => keeper!.output().includes('shutdown_started'));
      expect(keeper.child.exitCode).toBeNull();
      await env.anvil.rpc('evm_mine');
      expect(await keeper.exited).toBe(0);
      const out = keeper.output();
      const mined = out.indexOf('"status":"mined"');
      expect(mined).toBeGreaterThan(out.indexOf('shutdown_started'));
      expect(out.indexOf('shutdown_complete')).toBeGreaterThan(mined);
      expect((await env.onchain('usdc'))?.publishTime).toBe(t0);
    } finally {
      await env.anvil.rpc('evm_setAutomine', [true]);
    }
  });
});

describe('keeper process: restart with a transaction pending', () => {
  const { env, procs } = processSuite();

  it('replaces the pending transaction at its nonce: no gap, no double push', async () => {
    const settings = {
      PRICE_CONFIG_FILE: configFile(),
      DEBOUNCE_MS: '200',
      STUCK_AFTER_MS: '60000',
      LOG_LEVEL: 'info',
    };
    const vars = env().baseEnv(settings);
    await env().anvil.rpc('evm_setAutomine', [false]);
    const first = await spawnKeeper(vars);
    procs.push(first);
    await explainFailure(procs, async () => {
      await waitFor('first active', async () => (await role(first)) === 'active', 60_000);
      const t0 = nowS() - 100;
      await env().produce([{ feed: 'usdc', price: ONE, publishTime: t0 }]);
      await waitFor('first transaction pending', async () => (await first.status())?.keeper.inFlight !== undefined);
      expect(existsSync(vars['KEEPER_STATE_FILE']!)).toBe(true);
      await kill(first);

      const second = await spawnKeeper(vars);
      procs.push(second);
      await waitFor('second active', async () => (await role(second)) === 'active', 60_000);
      await env().produce([{ feed: 'usdc', price: ONE + 5_000_000n, publishTime: t0 + 1 }]);
      // Replaced by the new update's push, or at the latest once STUCK_AFTER_MS (60 s) passes.
      await waitFor(
        'replacement sent at the same nonce',
        async () => {
          const inFlight = (await second.status())?.keeper.inFlight;
          return inFlight?.nonce === 0 && inFlight.hashes.length >= 2;
        },
        90_000,
      );
      await env().anvil.rpc('evm_setAutomine', [true]);
      await env().anvil.rpc('evm_mine');
      await waitFor('pushed', async () => (await env().updateEvents()).length > 0);
      await waitFor('receipt seen', async () => (await second.status())?.keeper.lastPush?.status === 'mined');

      const [latest, pending] = await Promise.all([
        env().anvil.client.getTransactionCount({ address: env().keeperAddress, blockTag: 'latest' }),
        env().anvil.client.getTransactionCount({ address: env().keeperAddress, blockTag: 'pending' }),
      ]);
      expect([latest, pending]).toEqual([1, 1]);
      const events = await env().updateEvents();
      expect(events.map((e) => [e.id, e.publishTime])).toEqual([[feedId('usdc'), t0 + 1]]);
    });
  });
});

describe('keeper process: two replicas', () => {
  const { env, procs } = processSuite();

  it('one is active; the standby takes over within 30 s of the active being killed', async () => {
    const vars = env().baseEnv({ PRICE_CONFIG_FILE: configFile(), DEBOUNCE_MS: '200', LOG_LEVEL: 'info' });
    const a = await spawnKeeper(vars);
    const b = await spawnKeeper(vars);
    procs.push(a, b);
    await waitFor(
      'one active, one standby',
      async () => [await role(a), await role(b)].sort().join() === 'active,standby',
      60_000,
    );
    const [active, standby] = (await role(a)) === 'active' ? [a, b] : [b, a];
    expect((await standby.status())?.health.role).toBe('standby');

    const t0 = nowS() - 100;
    await env().produce([{ feed: 'usdc', price: ONE, publishTime: t0 }]);
    await waitFor('pushed by the active', async () => (await active.status())?.keeper.lastPush?.status === 'mined');
    expect((await standby.status())?.keeper.pushesTotal).toBe(0);

    const killedAt = Date.now();
    await kill(active);
    await waitFor('standby active', async () => (await role(standby)) === 'active', 30_000, 50);
    const takeoverMs = Date.now() - killedAt;
    console.log(
      JSON.stringify({
        metric: 'keeper_takeover_ms',
        value: takeoverMs,
        sessionTimeoutMs: Number(vars['KEEPER_SESSION_TIMEOUT_MS']),
      }),
    );
    expect(takeoverMs).toBeLessThan(30_000);

    await env().produce([{ feed: 'usdc', price: ONE * 2n, publishTime: t0 + 1 }]);
    await waitFor('pushed by the new active', async () => (await env().onchain('usdc'))?.publishTime === t0 + 1);
    expect((await standby.status())?.keeper.pushesTotal).toBe(1);
    expect((await env().updateEvents()).map((e) => e.publishTime)).toEqual([t0, t0 + 1]);
  });
});
