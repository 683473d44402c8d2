import { type HealthThresholds, type KeeperStatus } from '@stableyield/chain';
import { appHealth } from './health';

const T: HealthThresholds = {
  maxOnchainAgeS: 60,
  maxInputSilenceMs: 30_000,
  maxRefreshSilenceMs: 30_000,
  minBalanceWei: 1000n,
  maxInFlightMs: 120_000,
  maxConsecutiveFailures: 3,
};
const NOW = 1_700_000_000_000;
const nowS = NOW / 1000;

function status(over: Partial<KeeperStatus> = {}): KeeperStatus {
  return {
    account: `0x${'11'.repeat(20)}`,
    active: true,
    chainTimeS: nowS,
    onchainRefreshFailures: 0,
    multicall: false,
    consecutiveFailures: 0,
    feeds: [
      {
        alias: 'USDC/USD',
        id: `0x${'aa'.repeat(32)}`,
        onchain: { price: '1', conf: '1', expo: -8, publishTime: nowS - 10 },
      },
    ],
    lastSourceAtMs: NOW - 1000,
    lastOnchainRefreshAtMs: NOW - 1000,
    walletBalanceWei: '5000',
    pushesTotal: 0,
    ...over,
  };
}

describe('appHealth', () => {
  it('is healthy when fresh, fed, connected and funded', () => {
    expect(appHealth(status(), true, T, NOW)).toEqual({ healthy: true, role: 'active', reasons: [], staleFeeds: [] });
  });

  it('lists every reason in a fixed order', () => {
    const s = status({ lastSourceAtMs: NOW - 60_000, lastOnchainRefreshAtMs: NOW - 60_000, walletBalanceWei: '10' });
    s.feeds[0]!.onchain!.publishTime = nowS - 100;
    s.inFlight = { nonce: 4, hashes: ['0x01'], sinceMs: NOW - 121_000, maxFeePerGasWei: '1' };
    s.consecutiveFailures = 3;
    expect(appHealth(s, true, T, NOW)).toMatchObject({
      reasons: ['stale-oracle', 'no-input', 'rpc-down', 'balance-low', 'tx-stuck', 'push-failures'],
      staleFeeds: ['USDC/USD'],
    });
  });

  it('measures on-chain ages on the chain clock, not the host clock', () => {
    // The host is 35 s slow: on the host's clock the price is 10 s old, on the chain's 45 s; the
    // chain is what consumers' getPriceNoOlderThan uses.
    const s = status({ chainTimeS: nowS + 35 });
    expect(appHealth(s, true, { ...T, maxOnchainAgeS: 40 }, NOW)).toMatchObject({
      reasons: ['stale-oracle'],
      staleFeeds: ['USDC/USD'],
    });
    expect(appHealth(status({ chainTimeS: nowS - 31 }), true, { ...T, maxOnchainAgeS: 5 }, NOW).healthy).toBe(true);
  });

  it('reports balance-low after an insufficient-funds failure even above the floor, until a push succeeds', () => {
    const failed = status({
      lastError: { atMs: NOW - 500, kind: 'insufficient-funds', message: 'insufficient funds' },
    });
    expect(appHealth(failed, true, T, NOW)).toMatchObject({ healthy: false, reasons: ['balance-low'] });
    const recovered = { ...failed, lastPush: { atMs: NOW - 100, status: 'mined' as const, feeds: ['USDC/USD'] } };
    expect(appHealth(recovered, true, T, NOW).healthy).toBe(true);
  });

  it('a standby is not blamed for the input it does not own', () => {
    const { lastSourceAtMs: _never, ...rest } = status({ walletBalanceWei: '10' });
    const s: KeeperStatus = rest;
    s.feeds[0]!.onchain!.publishTime = nowS - 100;
    expect(appHealth(s, false, T, NOW)).toEqual({
      healthy: false,
      role: 'standby',
      reasons: ['balance-low'],
      staleFeeds: [],
    });
  });
});
