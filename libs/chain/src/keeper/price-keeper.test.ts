import { HttpRequestError, type PublicClient } from 'viem';
import { type FeedId } from '../price-feed';
import { mockPythUpdateRecord } from '../testing/pyth-update';
import { type TxSubmitter } from '../tx/submitter';
import { PriceKeeper } from './price-keeper';

// An RPC endpoint shaped like a provider's: key in the path, credentials in the userinfo (placeholders).
const RPC_URL = 'https://rpc-user:rpc-password@rpc.example.invalid/v2/path-key-placeholder';
const SECRETS = ['rpc-user', 'rpc-password', 'path-key-placeholder'];
const FEED: FeedId = `0x${'ab'.repeat(32)}`;
const rpcDown = (): HttpRequestError =>
  new HttpRequestError({ url: RPC_URL, status: 401, body: { method: 'eth_call' }, details: `401 from ${RPC_URL}` });

function keeperWithFailingRpc(): PriceKeeper {
  const publicClient = {
    readContract: () => Promise.reject(rpcDown()),
    getBalance: () => Promise.reject(rpcDown()),
    getBlock: () => Promise.reject(rpcDown()),
  } as unknown as PublicClient;
  const submitter = {
    account: '0x0000000000000000000000000000000000000001',
    inFlight: () => undefined,
    submit: () => Promise.reject(rpcDown()),
  } as unknown as TxSubmitter;
  return new PriceKeeper(
    {
      feeds: [{ alias: 'USDC/USD', id: FEED, timeDifferenceS: 60, priceDeviationPct: 0.5, confidenceRatioPct: 100 }],
      decision: { maxStalenessS: 3_600, includeEarly: true, earlyFraction: 0.5 },
      debounceMs: 60_000,
      onchainRefreshMs: 60_000,
    },
    { publicClient, contract: '0x0000000000000000000000000000000000000002', submitter },
  );
}

describe('PriceKeeper status with an RPC URL that carries secrets', () => {
  it('keeps the URL out of lastError and lastOnchainRefreshError', async () => {
    const keeper = keeperWithFailingRpc();
    const publishTime = Math.floor(Date.now() / 1000) - 10;
    keeper.ingest(mockPythUpdateRecord([{ id: FEED, price: 100_000_000n, conf: 10_000n, publishTime }]));
    const outcome = await keeper.runOnce(true);
    await keeper.stop();

    expect(outcome).toMatchObject({ pushed: true, error: 'transient' });
    const status = keeper.status();
    expect(status.lastError?.message).toBe('HTTP request failed.');
    expect(status.lastOnchainRefreshError).toBe('HTTP request failed.');
    const served = JSON.stringify(status);
    for (const secret of SECRETS) expect(served).not.toContain(secret);
  });
});
