// Issue 22, item 8: a mined transaction whose receipt the node cannot give is counted as landed,
// not as someone else's ("superseded").
import { MemoryTxStateStore } from '../index';
import { batchOf, FEEDS, interceptedTransport, nowS, startChain, type Chain } from '../../test/fixtures';

describe('a lost receipt against anvil', () => {
  let chain: Chain;
  afterEach(async () => chain?.anvil.stop());

  it('our transaction mined without a readable receipt is landed, with its hash and nonce', async () => {
    chain = await startChain();
    // A node that has pruned (or never indexed) receipts: every receipt request answers null.
    const transport = interceptedTransport(chain.anvil.httpUrl, (method) =>
      method === 'eth_getTransactionReceipt' ? { answer: null } : undefined,
    );
    const submitter = chain.submitter({ stuckAfterMs: 2_000 }, new MemoryTxStateStore(), transport);
    const result = await submitter.submit(batchOf([{ id: FEEDS.usdc, price: 11n, publishTime: nowS() }]));
    expect(result).toMatchObject({ status: 'landed', nonce: 0, replacements: 0 });
    if (result.status !== 'landed') return;
    const tx = await chain.anvil.client.getTransaction({ hash: result.hash });
    expect(tx.blockNumber).not.toBeNull();
    expect(submitter.inFlight()).toBeUndefined();
  });
});
