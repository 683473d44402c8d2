// The keeper's SYI duty end to end: syi.calculated records on the broker → the keeper (in-process and
// as two real processes) → SyiFeed on anvil, sharing the Pyth duty's account and submitter.
import { readLatestSyi } from '@stableyield/chain';
import {
  explainFailure,
  metricValue,
  nowS,
  priceConfigYaml,
  spawnKeeper,
  startEnv,
  startKeeper,
  waitFor,
  type Env,
  type InProcessKeeper,
  type KeeperProcess,
} from '../test/harness';
import { startSyiEnv, strictlyIncreasing, type SyiEnv } from '../test/syi-harness';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

jest.setTimeout(120_000);

/**
 * Each attempt's own chain, SyiFeed and topics (jest retries a failed test once: a retry must not
 * find the first attempt's rounds on the chain); `stop` ends what the attempt started, first.
 */
function syiAttempts(stop: () => Promise<void>): { env: Env; syi: SyiEnv } {
  const attempt = {} as { env: Env; syi: SyiEnv };
  beforeEach(async () => {
    attempt.env = await startEnv();
    attempt.syi = await startSyiEnv(attempt.env);
  });
  afterEach(async () => {
    await stop();
    await attempt.syi?.close();
    await attempt.env?.close();
  });
  return attempt;
}

describe('keeper: the SYI duty', () => {
  let keeper: InProcessKeeper | undefined;
  const attempt = syiAttempts(async () => {
    await keeper?.stop();
    keeper = undefined;
  });

  it(
    'publishes the first record, holds a 0.5 bp move, publishes a 1 bp move; ' +
      '/status and the metrics show the feed',
    async () => {
      const { env, syi } = attempt;
      keeper = await startKeeper(env, { ...syi.env(), DEBOUNCE_MS: '100' });
      const t0 = nowS() - 600;
      await syi.produce(t0, 3);
      await waitFor(
        'first round',
        async () => (await readLatestSyi(env.anvil.client, syi.feed))?.updatedAt === BigInt(t0),
      );
      await syi.produce(t0 + 60, 3.00015); // 0.5 bp
      await waitFor('0.5 bp seen and held', async () => {
        const s = (await keeper!.status()).syi;
        return s?.latest?.t === t0 + 60 && s.lastDecision?.reason === 'within-band';
      });
      await syi.produce(t0 + 120, 3.0003); // 1 bp from the on-chain 3 %
      await waitFor('1 bp published', async () => (await keeper!.status()).syi?.onchain?.updatedAt === t0 + 120);
      expect((await readLatestSyi(env.anvil.client, syi.feed))?.updatedAt).toBe(BigInt(t0 + 120));
      expect((await syi.rounds()).map((r) => [r.updatedAt - t0, r.answer])).toEqual([
        [0, 300_000_000n],
        [120, 300_030_000n],
      ]);

      const status = (await keeper.status()).syi!;
      expect(status).toMatchObject({
        feed: syi.feed,
        active: true,
        publishesTotal: 2,
        triggers: { deviationBps: 1, heartbeatS: 3600, minIntervalS: 0 },
        onchain: { roundId: '2', answer: '300030000', value: 3.0003, updatedAt: t0 + 120 },
        latest: { t: t0 + 120, value: 3.0003 },
      });
      expect(status.onchain!.ageS).toBeGreaterThanOrEqual(600 - 120);
      const metrics = await keeper.metrics();
      expect(metricValue(metrics, 'syi_onchain_publishes_total')).toBe(2);
      expect(metricValue(metrics, 'syi_onchain_publishes_total', { trigger: 'deviation' })).toBe(1);
      expect(metricValue(metrics, 'syi_onchain_age_seconds')).toBeGreaterThanOrEqual(480);
      expect(metricValue(metrics, 'syi_onchain_deviation_bps')).toBe(0);
    },
  );
});

describe('keeper processes: SYI failover', () => {
  const procs: KeeperProcess[] = [];
  const attempt = syiAttempts(() => {
    for (const p of procs.splice(0))
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    return Promise.resolve();
  });

  it(
    'the standby takes over when the active keeper dies; a replayed older record changes nothing; ' +
      'rounds stay strictly increasing',
    async () => {
      const { env, syi } = attempt;
      const cfg = join(mkdtempSync(join(tmpdir(), 'keeper-syi-')), 'prices.yaml');
      writeFileSync(cfg, priceConfigYaml({ price_deviation: 1, time_difference: 3600 }, ['usdc']));
      // One group, one state file: the two replicas of a deployment.
      const shared = env.baseEnv({ PRICE_CONFIG_FILE: cfg, DEBOUNCE_MS: '100', LOG_LEVEL: 'info', ...syi.env() });
      const first = await spawnKeeper(shared);
      procs.push(first);
      await explainFailure(procs, async () => {
        await waitFor('first active', async () => (await first.status())?.role === 'active', 60_000);
        const second = await spawnKeeper(shared);
        procs.push(second);
        await waitFor('second in the group', () => second.output().includes('consumer_group_joined'), 60_000);
        // The rebalance may have moved the input to the newcomer: whichever holds it is "a".
        await waitFor(
          'one active, one standby',
          async () => new Set([(await first.status())?.role, (await second.status())?.role]).size === 2,
          60_000,
        );
        const [a, b] = (await first.status())?.role === 'active' ? [first, second] : [second, first];
        const t0 = nowS() - 900;
        await syi.produce(t0, 3);
        await waitFor(
          'a published',
          async () => (await readLatestSyi(env.anvil.client, syi.feed))?.updatedAt === BigInt(t0),
        );
        await syi.produce(t0 + 60, 3.1);
        await waitFor(
          'a published again',
          async () => (await readLatestSyi(env.anvil.client, syi.feed))?.updatedAt === BigInt(t0 + 60),
        );
        await waitFor('b followed the records', async () => (await b.status())?.syi?.latest?.t === t0 + 60);

        a.child.kill('SIGKILL');
        await a.exited;
        await waitFor('b active', async () => (await b.status())?.role === 'active', 60_000);
        // A record older than the chain's (a replay, or a lagging processor) is never published.
        await syi.produce(t0 + 30, 3.5);
        await syi.produce(t0 + 120, 3.2);
        await waitFor(
          'b published',
          async () => (await readLatestSyi(env.anvil.client, syi.feed))?.updatedAt === BigInt(t0 + 120),
        );
        const rounds = await syi.rounds();
        expect(rounds.map((r) => r.updatedAt - t0)).toEqual([0, 60, 120]);
        expect(strictlyIncreasing(rounds)).toBe(true);
        await waitFor('b status shows round 3', async () => (await b.status())?.syi?.onchain?.roundId === '3');
        expect((await b.status())?.syi).toMatchObject({
          active: true,
          publishesTotal: 1,
          onchain: { updatedAt: t0 + 120 },
        });
      });
    },
  );
});
