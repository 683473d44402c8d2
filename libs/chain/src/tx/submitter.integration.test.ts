import { parseGwei } from 'viem';
import {
  pythAbi,
  readOnchainPrices,
  ChainTxError,
  feePolicy,
  type FeedId,
  type InFlightTx,
  type TxSubmitter,
} from '../index';
import { batchOf, FEEDS, nowS, startChain, type Chain } from '../../test/fixtures';

async function priceUpdateEvents(chain: Chain, fromBlock = 0n): Promise<{ id: FeedId; price: bigint; tx: string }[]> {
  const logs = await chain.anvil.client.getContractEvents({
    address: chain.contract,
    abi: pythAbi,
    eventName: 'PriceFeedUpdate',
    fromBlock,
  });
  return logs.map((l) => ({ id: l.args.id as FeedId, price: l.args.price as bigint, tx: l.transactionHash }));
}

describe('TxSubmitter against anvil + MockPyth', () => {
  let chain: Chain;
  afterEach(async () => chain?.anvil.stop());

  it('pushes two feeds in one transaction and the on-chain prices equal the pushed ones', async () => {
    chain = await startChain();
    const t = nowS();
    const result = await chain.submitter().submit(
      batchOf([
        { id: FEEDS.usdc, price: 99_990_000n, conf: 20_000n, publishTime: t },
        { id: FEEDS.usdt, price: 100_020_000n, conf: 30_000n, publishTime: t },
      ]),
    );
    expect(result.status).toBe('mined');
    const onchain = await readOnchainPrices(chain.anvil.client, chain.contract, [FEEDS.usdc, FEEDS.usdt, FEEDS.dai]);
    expect(onchain.get(FEEDS.usdc)).toEqual({ price: 99_990_000n, conf: 20_000n, expo: -8, publishTime: t });
    expect(onchain.get(FEEDS.usdt)).toEqual({ price: 100_020_000n, conf: 30_000n, expo: -8, publishTime: t });
    expect(onchain.get(FEEDS.dai)).toBeUndefined();
    const events = await priceUpdateEvents(chain);
    expect(events).toHaveLength(2);
    expect(new Set(events.map((e) => e.tx)).size).toBe(1);
  });

  it('reports already-updated, without sending, when the chain already has that publish time', async () => {
    chain = await startChain();
    const t = nowS();
    const submitter = chain.submitter();
    expect((await submitter.submit(batchOf([{ id: FEEDS.usdc, price: 1n, publishTime: t }]))).status).toBe('mined');
    const nonceBefore = await chain.anvil.client.getTransactionCount({ address: chain.keeper });
    const again = await submitter.submit(batchOf([{ id: FEEDS.usdc, price: 2n, publishTime: t }]));
    expect(again).toEqual({ status: 'already-updated' });
    expect(await chain.anvil.client.getTransactionCount({ address: chain.keeper })).toBe(nonceBefore);
  });

  it('classifies insufficient funds (enough for the update fee, not for gas) and sends nothing', async () => {
    chain = await startChain();
    await chain.anvil.rpc('anvil_setBalance', [chain.keeper, '0x2710']); // 10 000 wei
    const submitter = chain.submitter();
    const err = await submitter
      .submit(batchOf([{ id: FEEDS.usdc, price: 1n, publishTime: nowS() }]))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChainTxError);
    expect((err as ChainTxError).kind).toBe('insufficient-funds');
    expect(await chain.anvil.client.getTransactionCount({ address: chain.keeper, blockTag: 'pending' })).toBe(0);
    expect(submitter.inFlight()).toBeUndefined();
  });

  it('escalates a fee below the base fee (automine on) until the transaction is mined, within the cap', async () => {
    chain = await startChain(['--block-base-fee-per-gas', '10000000000']); // 10 gwei
    // A policy that prices at half the base fee: every first attempt is too low to be included.
    const lowball = feePolicy({ maxGasPriceGwei: 50, baseFeeMultiplier: 0.5, priorityFeeMultiplier: 0 });
    const submitter = chain.submitter({ stuckAfterMs: 200, maxReplacements: 10 }, undefined, undefined, lowball);
    const result = await submitter.submit(batchOf([{ id: FEEDS.usdc, price: 42n, publishTime: nowS() }]));
    expect(result.status).toBe('mined');
    if (result.status !== 'mined') return;
    const tx = await chain.anvil.client.getTransaction({ hash: result.hash });
    const block = await chain.anvil.client.getBlock({ blockNumber: tx.blockNumber });
    // The policy priced it at half the base fee; it could only be mined at ≥ the base fee, so the
    // submitter escalated (anvil rejects such a tx as underpriced; geth would pool it as stuck).
    expect(tx.maxFeePerGas).toBeGreaterThanOrEqual(block.baseFeePerGas!);
    expect(tx.maxFeePerGas).toBeLessThanOrEqual(parseGwei('50'));
    expect(tx.nonce).toBe(0);
  });

  it(
    'never pays more than MAX_GAS_PRICE_GWEI: with the cap below the base fee the push fails ' + 'as underpriced',
    async () => {
      chain = await startChain(['--block-base-fee-per-gas', '10000000000']);
      const capped = feePolicy({ maxGasPriceGwei: 5 });
      const submitter = chain.submitter({ stuckAfterMs: 200, maxReplacements: 2 }, undefined, undefined, capped);
      const err = await submitter
        .submit(batchOf([{ id: FEEDS.usdc, price: 42n, publishTime: nowS() }]))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ChainTxError);
      expect((err as ChainTxError).kind).toBe('underpriced');
      expect(await chain.anvil.client.getTransactionCount({ address: chain.keeper, blockTag: 'pending' })).toBe(0);
      expect(submitter.inFlight()).toBeUndefined();
    },
  );

  it('replaces a stuck transaction at the same nonce with bumped fees, and the replacement is mined', async () => {
    chain = await startChain();
    await chain.anvil.rpc('evm_setAutomine', [false]);
    const submitter = chain.submitter({ stuckAfterMs: 300, maxReplacements: 3 });
    const t = nowS();
    const pushing = submitter.submit(batchOf([{ id: FEEDS.dai, price: 100_000_000n, publishTime: t }]));
    // Nothing is mined until the submitter has given up on the first tx and replaced it.
    const first = await until(
      () => inFlight(submitter),
      (f) => f !== undefined && f.hashes.length === 1,
    );
    const replaced = await until(
      () => inFlight(submitter),
      (f) => f !== undefined && f.hashes.length >= 2,
    );
    expect(replaced.nonce).toBe(0);
    expect(replaced.fees.maxFeePerGas).toBeGreaterThanOrEqual((first.fees.maxFeePerGas * 110n) / 100n);
    expect(replaced.fees.maxPriorityFeePerGas).toBeGreaterThanOrEqual((first.fees.maxPriorityFeePerGas * 110n) / 100n);
    await chain.anvil.rpc('evm_mine');
    const result = await pushing;
    expect(result.status).toBe('mined');
    if (result.status !== 'mined') return;
    expect(result.replacements).toBeGreaterThanOrEqual(1);
    expect(result.nonce).toBe(0);
    expect(result.hash).not.toBe(first.hashes[0]);
    expect(replaced.hashes).toContain(result.hash);
    const tx = await chain.anvil.client.getTransaction({ hash: result.hash });
    expect(tx.nonce).toBe(0);
    expect(tx.maxFeePerGas).toBeGreaterThanOrEqual(replaced.fees.maxFeePerGas);
    expect(await chain.anvil.client.getTransactionCount({ address: chain.keeper, blockTag: 'pending' })).toBe(1);
    await expect(chain.anvil.client.getTransactionReceipt({ hash: first.hashes[0]! })).rejects.toThrow();
    const onchain = await readOnchainPrices(chain.anvil.client, chain.contract, [FEEDS.dai]);
    expect(onchain.get(FEEDS.dai)?.price).toBe(100_000_000n);
  });
});

const inFlight = (submitter: TxSubmitter): InFlightTx | undefined => submitter.inFlight();

/** Polls `read` until `ok` holds (10 s at most). */
async function until<T>(read: () => T, ok: (v: T) => boolean): Promise<NonNullable<T>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = read();
    if (ok(v)) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error('condition not reached in 10 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}
