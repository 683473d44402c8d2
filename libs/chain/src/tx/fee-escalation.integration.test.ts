// Issue 22, items 6 and 9: escalation stays near the market, replacements carry the newest prices,
// and chains without EIP-1559 (or with odd fees and gas estimates) are served.
import { parseGwei } from 'viem';
import { ChainTxError, feePolicy, initialFees, pythAbi, readOnchainPrices, type SubmitResult } from '../index';
import { batchOf, FEEDS, nowS, startChain, until, type Chain } from '../../test/fixtures';

describe('fees against anvil', () => {
  let chain: Chain;
  afterEach(async () => chain?.anvil.stop());

  it('a transaction stuck for many rounds never bids more than 5 × the fresh market fee', async () => {
    chain = await startChain();
    await chain.anvil.rpc('evm_setAutomine', [false]); // nothing is mined: every round is "stuck"
    const policy = feePolicy({ maxGasPriceGwei: 500 });
    const submitter = chain.submitter({ stuckAfterMs: 50, maxReplacements: 25 }, undefined, undefined, policy);
    const result = await submitter.submit(batchOf([{ id: FEEDS.usdc, price: 1n, publishTime: nowS() }]));
    expect(result.status).toBe('pending');
    const block = await chain.anvil.client.getBlock({ blockTag: 'latest' });
    const tip = await chain.anvil.client.estimateMaxPriorityFeePerGas();
    const market = initialFees({ baseFeePerGas: block.baseFeePerGas!, maxPriorityFeePerGas: tip }, policy);
    const bid = submitter.inFlight()!.fees.maxFeePerGas;
    expect(bid).toBeGreaterThan(market.maxFeePerGas * 4n); // it did escalate…
    expect(bid).toBeLessThanOrEqual(market.maxFeePerGas * 5n); // …to the cap and no further
    expect(bid).toBeLessThan(parseGwei('500'));
  });

  it('follows a base-fee spike up, within the caps, and the push lands', async () => {
    chain = await startChain();
    await chain.anvil.rpc('evm_setAutomine', [false]);
    const submitter = chain.submitter({ stuckAfterMs: 200, maxReplacements: 5 });
    let result: SubmitResult | undefined;
    const pushing = submitter
      .submit(batchOf([{ id: FEEDS.usdc, price: 3n, publishTime: nowS() }]))
      .then((r) => (result = r));
    await until(() => submitter.inFlight() !== undefined, 'first broadcast');
    const first = submitter.inFlight()!.fees.maxFeePerGas;
    // The next block's base fee jumps to 20× what the first bid covered.
    const spiked = first * 20n;
    await chain.anvil.rpc('anvil_setNextBlockBaseFeePerGas', [`0x${spiked.toString(16)}`]);
    await chain.anvil.rpc('evm_mine'); // an empty block at the spiked base fee: our tx is priced out
    await chain.anvil.rpc('anvil_setNextBlockBaseFeePerGas', [`0x${spiked.toString(16)}`]);
    await until(() => (submitter.inFlight()?.fees.maxFeePerGas ?? 0n) >= spiked, 'a replacement priced for the spike');
    await chain.anvil.rpc('evm_mine');
    while (result === undefined) {
      await chain.anvil.rpc('evm_mine');
      await new Promise((r) => setTimeout(r, 100));
    }
    await pushing;
    expect(result.status).toBe('mined');
    if (result.status !== 'mined') return;
    const tx = await chain.anvil.client.getTransaction({ hash: result.hash });
    expect(tx.maxFeePerGas).toBeGreaterThanOrEqual(spiked);
  });

  it('a replacement carries the newest payload the keeper has, not the one the push started with', async () => {
    chain = await startChain();
    await chain.anvil.rpc('evm_setAutomine', [false]);
    const submitter = chain.submitter({ stuckAfterMs: 200, maxReplacements: 3 });
    const t = nowS();
    const newest = batchOf([{ id: FEEDS.usdc, price: 200n, publishTime: t + 5 }]);
    const pushing = submitter.submit(batchOf([{ id: FEEDS.usdc, price: 100n, publishTime: t }]), {
      latestBatch: () => newest,
    });
    await until(() => (submitter.inFlight()?.hashes.length ?? 0) >= 2, 'a replacement');
    await chain.anvil.rpc('evm_mine');
    const result = await pushing;
    expect(result.status).toBe('mined');
    const onchain = (await readOnchainPrices(chain.anvil.client, chain.contract, [FEEDS.usdc])).get(FEEDS.usdc);
    expect(onchain).toMatchObject({ price: 200n, publishTime: t + 5 });
  });

  it('legacy gas mode, an update-fee multiplier and a fixed gas limit', async () => {
    chain = await startChain();
    const legacy = feePolicy({ maxGasPriceGwei: 500, gasMode: 'legacy' });
    const submitter = chain.submitter({ updateFeeMultiplier: 3, gasLimit: 400_000n }, undefined, undefined, legacy);
    const batch = batchOf([{ id: FEEDS.usdc, price: 5n, publishTime: nowS() }]);
    const result = await submitter.submit(batch);
    expect(result.status).toBe('mined');
    if (result.status !== 'mined') return;
    const tx = await chain.anvil.client.getTransaction({ hash: result.hash });
    const fee = await chain.anvil.client.readContract({
      address: chain.contract,
      abi: pythAbi,
      functionName: 'getUpdateFee',
      args: [batch.updateData],
    });
    expect(tx.type).toBe('legacy');
    expect(tx.gasPrice).toBeGreaterThan(0n);
    expect(tx.value).toBe(fee * 3n);
    expect(tx.gas).toBe(400_000n);
  });

  it(
    'a chain without a base fee (anvil --hardfork berlin): EIP-1559 mode says to set ' +
      'GAS_MODE=legacy, legacy mode pushes',
    async () => {
      chain = await startChain(['--hardfork', 'berlin'], 'berlin');
      expect((await chain.anvil.client.getBlock()).baseFeePerGas).toBeNull();
      const batch = batchOf([{ id: FEEDS.usdc, price: 6n, publishTime: nowS() }]);
      const eip1559 = await chain
        .submitter()
        .submit(batch)
        .catch((e: unknown) => e);
      expect(eip1559).toBeInstanceOf(ChainTxError);
      expect((eip1559 as ChainTxError).message).toMatch(/no EIP-1559 base fee \(set GAS_MODE=legacy\)/);
      const legacy = chain.submitter({}, undefined, undefined, feePolicy({ maxGasPriceGwei: 500, gasMode: 'legacy' }));
      const result = await legacy.submit(batch);
      expect(result.status).toBe('mined');
      if (result.status !== 'mined') return;
      expect((await chain.anvil.client.getTransaction({ hash: result.hash })).type).toBe('legacy');
      expect((await readOnchainPrices(chain.anvil.client, chain.contract, [FEEDS.usdc])).get(FEEDS.usdc)?.price).toBe(
        6n,
      );
    },
  );
});
