// Issue 22, items 1–3: nothing the chain or the disk does to the nonce sequence leaves a push stuck.
// Reorg-like gaps come from evm_snapshot/evm_revert (anvil forgets the mined block and its pool).
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  readOnchainPrices,
  FileTxStateStore,
  type CorruptStateFile,
  type SubmitResult,
  type SubmitterOptions,
  type TxSubmitter,
} from '../index';
import { batchOf, FEEDS, nowS, startChain, until, type Chain } from '../../test/fixtures';

const nonces = async (chain: Chain): Promise<[number, number]> => [
  await chain.anvil.client.getTransactionCount({ address: chain.keeper, blockTag: 'latest' }),
  await chain.anvil.client.getTransactionCount({ address: chain.keeper, blockTag: 'pending' }),
];

const onchainPrice = async (chain: Chain): Promise<bigint | undefined> =>
  (await readOnchainPrices(chain.anvil.client, chain.contract, [FEEDS.usdc])).get(FEEDS.usdc)?.price;

describe('nonce recovery against anvil', () => {
  let chain: Chain;
  afterEach(async () => chain?.anvil.stop());

  /** A fresh chain, a submitter on it, an evm_snapshot of the chain before any push (the reorg's target) and now. */
  async function snapshottedChain(options: Partial<SubmitterOptions>) {
    chain = await startChain();
    const submitter = chain.submitter(options);
    return { submitter, snapshot: await chain.anvil.rpc('evm_snapshot'), t: nowS() };
  }

  it(
    'a reorg that undoes our mined transaction: the next push fills the chain nonce instead of ' +
      'queueing behind a gap',
    async () => {
      const { submitter, snapshot, t } = await snapshottedChain({ stuckAfterMs: 1_000, maxReplacements: 1 });
      expect((await submitter.submit(batchOf([{ id: FEEDS.usdc, price: 1n, publishTime: t }]))).status).toBe('mined');
      await chain.anvil.rpc('evm_revert', [snapshot]); // nonce 0 is unmined again
      expect(await nonces(chain)).toEqual([0, 0]);

      const again = await submitter.submit(batchOf([{ id: FEEDS.usdc, price: 2n, publishTime: t + 1 }]));
      expect(again).toMatchObject({ status: 'mined', nonce: 0 });
      expect(await nonces(chain)).toEqual([1, 1]);
      expect(await onchainPrice(chain)).toBe(2n);
    },
  );

  it(
    'a gap that opens while a transaction is in flight is found at the timeout and ' + 'resynchronised, not escalated',
    async () => {
      const { submitter, snapshot, t } = await snapshottedChain({ stuckAfterMs: 500, maxReplacements: 2 });
      expect((await submitter.submit(batchOf([{ id: FEEDS.usdc, price: 1n, publishTime: t }]))).status).toBe('mined');
      await chain.anvil.rpc('evm_setAutomine', [false]);
      const pushing = submitter.submit(batchOf([{ id: FEEDS.usdc, price: 2n, publishTime: t + 1 }]));
      await until(() => submitter.inFlight()?.nonce === 1, 'a transaction in flight at nonce 1');
      const sentFees = submitter.inFlight()!.fees;
      await chain.anvil.rpc('evm_revert', [snapshot]); // nonce 0 gone, and the pool with it
      await chain.anvil.rpc('evm_setAutomine', [true]);

      const result = await pushing;
      expect(result).toMatchObject({ status: 'mined', nonce: 0 });
      expect(await nonces(chain)).toEqual([1, 1]);
      expect(await onchainPrice(chain)).toBe(2n);
      if (result.status !== 'mined') return;
      // A gap is not a fee problem: the re-send goes out at the market fee, not a bumped one.
      const tx = await chain.anvil.client.getTransaction({ hash: result.hash });
      expect(tx.maxFeePerGas).toBeLessThanOrEqual(sentFees.maxFeePerGas);
    },
  );

  it('a saved in-flight record ahead of the chain (restored volume, chain reset) is dropped', async () => {
    chain = await startChain();
    const file = join(mkdtempSync(join(tmpdir(), 'keeper-state-')), 'tx.json');
    const ahead = {
      nonce: 3,
      hashes: [`0x${'ab'.repeat(32)}`],
      maxFeePerGas: '2000000000',
      maxPriorityFeePerGas: '1000000000',
      firstSentAtMs: Date.now() - 60_000,
    };
    writeFileSync(file, JSON.stringify(ahead));
    const submitter = chain.submitter({ stuckAfterMs: 1_000, maxReplacements: 1 }, new FileTxStateStore(file));
    const result = await submitter.submit(batchOf([{ id: FEEDS.usdc, price: 7n, publishTime: nowS() }]));
    expect(result).toMatchObject({ status: 'mined', nonce: 0 });
    expect(await nonces(chain)).toEqual([1, 1]);
    expect(submitter.inFlight()).toBeUndefined();
  });

  it('a corrupt state file is treated as absent, kept aside and reported; pushes go on', async () => {
    chain = await startChain();
    const dir = mkdtempSync(join(tmpdir(), 'keeper-state-'));
    const file = join(dir, 'tx.json');
    writeFileSync(file, '{"nonce": 0, "hashes": ["0x12'); // a write cut short
    const reports: CorruptStateFile[] = [];
    const submitter = chain.submitter({}, new FileTxStateStore(file, (r) => reports.push(r)));
    const result = await submitter.submit(batchOf([{ id: FEEDS.usdc, price: 7n, publishTime: nowS() }]));
    expect(result.status).toBe('mined');
    expect(reports).toHaveLength(1);
    expect(reports[0]!.keptAt).toMatch(/tx\.json\.corrupt-\d+$/);
    expect(readFileSync(reports[0]!.keptAt, 'utf8')).toBe('{"nonce": 0, "hashes": ["0x12');
    expect(readdirSync(dir).filter((f) => f.includes('corrupt'))).toHaveLength(1);
  });

  it(
    'with confirmations, a receipt that a reorg removes is not taken as mined: the push is ' + 're-sent and lands',
    async () => {
      chain = await startChain();
      await chain.anvil.rpc('evm_setAutomine', [false]);
      const submitter: TxSubmitter = chain.submitter({ stuckAfterMs: 1_000, maxReplacements: 3, confirmations: 3 });
      const snapshot = await chain.anvil.rpc('evm_snapshot');
      let result: SubmitResult | undefined;
      const pushing = submitter
        .submit(batchOf([{ id: FEEDS.usdc, price: 9n, publishTime: nowS() }]))
        .then((r) => (result = r));
      await until(() => submitter.inFlight() !== undefined, 'a transaction in flight');
      await chain.anvil.rpc('evm_mine'); // included, one confirmation of three
      await new Promise((r) => setTimeout(r, 300));
      expect(result).toBeUndefined();
      await chain.anvil.rpc('evm_revert', [snapshot]); // the block and the transaction are gone
      expect(await onchainPrice(chain)).toBeUndefined();

      // Keep producing blocks until the re-sent transaction is three blocks deep.
      while (result === undefined) {
        await chain.anvil.rpc('evm_mine');
        await new Promise((r) => setTimeout(r, 200));
      }
      await pushing;
      expect(result).toMatchObject({ status: 'mined', nonce: 0 });
      expect(result.status === 'mined' && result.replacements).toBeGreaterThanOrEqual(1);
      expect(await onchainPrice(chain)).toBe(9n);
    },
  );
});
