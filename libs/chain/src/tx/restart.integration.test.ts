import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythAbi, readOnchainPrices, FileTxStateStore, MemoryTxStateStore, type TxStateStore } from '../index';
import { batchOf, FEEDS, nowS, startChain, until, type Chain } from '../../test/fixtures';

describe('restart with a transaction pending', () => {
  let chain: Chain;
  afterEach(async () => chain?.anvil.stop());

  // With the persisted record the new process knows the hash and fees it replaces; without it
  // (state lost) it finds the pending nonce on chain and escalates past "replacement underpriced".
  it.each([
    [
      'persisted in-flight record',
      (dir: string): [TxStateStore, TxStateStore] => [
        new FileTxStateStore(join(dir, 'tx.json')),
        new FileTxStateStore(join(dir, 'tx.json')),
      ],
    ],
    ['lost in-flight record', (): [TxStateStore, TxStateStore] => [new MemoryTxStateStore(), new MemoryTxStateStore()]],
  ])('%s: the next process replaces it at the same nonce: no gap, one push', async (_name, stores) => {
    chain = await startChain();
    await chain.anvil.rpc('evm_setAutomine', [false]);
    const [before, after] = stores(mkdtempSync(join(tmpdir(), 'keeper-state-')));
    const t = nowS();

    // Process 1 sends, gives up waiting (as if it died) and leaves the tx in the pool.
    const first = await chain
      .submitter({ stuckAfterMs: 200, maxReplacements: 0 }, before)
      .submit(batchOf([{ id: FEEDS.usdc, price: 100_000_000n, publishTime: t }]));
    expect(first.status).toBe('pending');
    expect(await chain.anvil.client.getTransactionCount({ address: chain.keeper, blockTag: 'pending' })).toBe(1);

    // Process 2 pushes a newer price for the same feed.
    const restarted = chain.submitter({ stuckAfterMs: 60_000 }, after);
    const pushing = restarted.submit(batchOf([{ id: FEEDS.usdc, price: 100_050_000n, publishTime: t + 1 }]));
    await until(async () => {
      const pool = (await chain.anvil.rpc('txpool_content')) as {
        pending: Record<string, Record<string, { hash: string }>>;
      };
      const ours =
        Object.entries(pool.pending).find(([a]) => a.toLowerCase() === chain.keeper.toLowerCase())?.[1] ?? {};
      const inFlight = restarted.inFlight();
      return (
        inFlight !== undefined &&
        Object.values(ours).some(
          (tx) => tx.hash === inFlight.hashes.at(-1) && first.status === 'pending' && tx.hash !== first.hash,
        )
      );
    }, 'the replacement in the pool');
    await chain.anvil.rpc('evm_mine');
    const result = await pushing;

    expect(result.status).toBe('mined');
    if (result.status !== 'mined') return;
    expect(result.nonce).toBe(0);
    const latest = await chain.anvil.client.getTransactionCount({ address: chain.keeper, blockTag: 'latest' });
    const pending = await chain.anvil.client.getTransactionCount({ address: chain.keeper, blockTag: 'pending' });
    expect([latest, pending]).toEqual([1, 1]); // nothing left behind, no gap
    const events = await chain.anvil.client.getContractEvents({
      address: chain.contract,
      abi: pythAbi,
      eventName: 'PriceFeedUpdate',
      fromBlock: 0n,
    });
    expect(events).toHaveLength(1);
    expect((await readOnchainPrices(chain.anvil.client, chain.contract, [FEEDS.usdc])).get(FEEDS.usdc)?.price).toBe(
      100_050_000n,
    );
    expect(restarted.inFlight()).toBeUndefined();
  });

  it('a pre-restart tx that lands first is recognised: the next push is skipped, not doubled', async () => {
    chain = await startChain();
    await chain.anvil.rpc('evm_setAutomine', [false]);
    const dir = mkdtempSync(join(tmpdir(), 'keeper-state-'));
    const t = nowS();
    const batch = batchOf([{ id: FEEDS.usdt, price: 100_010_000n, publishTime: t }]);
    const first = await chain
      .submitter({ stuckAfterMs: 200, maxReplacements: 0 }, new FileTxStateStore(join(dir, 'tx.json')))
      .submit(batch);
    expect(first.status).toBe('pending');
    await chain.anvil.rpc('evm_mine'); // the old tx lands while the keeper restarts
    await chain.anvil.rpc('evm_setAutomine', [true]);

    const restarted = chain.submitter({}, new FileTxStateStore(join(dir, 'tx.json')));
    expect(await restarted.submit(batch)).toEqual({ status: 'already-updated' });
    expect(restarted.inFlight()).toBeUndefined();
    expect(await chain.anvil.client.getTransactionCount({ address: chain.keeper, blockTag: 'pending' })).toBe(1);
  });
});
