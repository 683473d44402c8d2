// The SYI duty on a private anvil with MockPyth and SyiFeed, through the same TxSubmitter as the
// Pyth pushes: triggers at the default 1 bp, failover between two keepers, one account for both duties.
import { type Address, type Hex } from 'viem';
import { deployTestSyiFeed } from '../testing';
import { readLatestSyi } from '../syi-feed';
import { syiFeedAbi } from '../syi-feed-abi';
import { MemoryTxStateStore } from '../tx/nonce-manager';
import { batchOf, FEEDS, nowS, SOLC_CACHE, startChain, type Chain } from '../../test/fixtures';
import { defaultSyiTriggers } from './syi-decision';
import { SyiPublisher } from './syi-publisher';

jest.setTimeout(60_000);

let chain: Chain;
let feed: Address;
beforeAll(async () => {
  chain = await startChain();
  feed = await deployTestSyiFeed(chain.anvil, chain.keeper, SOLC_CACHE);
});
afterAll(() => chain?.anvil.stop());

const hex = (n: number): string => n.toString(16).padStart(64, '0');
let seq = 0;
/** A syi.calculated record at T (seconds) with this value in percent. */
const record = (tS: number, value: number) => ({
  ts: tS * 1000,
  value,
  rpl: value - 4,
  inputsDigest: hex(++seq),
  digest: hex(++seq),
});

function publisher(store = new MemoryTxStateStore(), active = true): SyiPublisher {
  const { publicClient } = chain.clients();
  return new SyiPublisher(
    // A long debounce: the test's runOnce calls decide, not the scheduler.
    { feed, triggers: defaultSyiTriggers, refreshMs: 60_000, debounceMs: 60_000, startActive: active },
    { publicClient, submitter: chain.submitter({}, store) },
  );
}

async function rounds(): Promise<{ roundId: bigint; updatedAt: bigint }[]> {
  const logs = await chain.anvil.client.getContractEvents({
    address: feed,
    abi: syiFeedAbi,
    eventName: 'SyiPublished',
    fromBlock: 0n,
  });
  return logs.map((l) => ({ roundId: l.args.roundId!, updatedAt: l.args.updatedAt! }));
}

function expectStrictlyIncreasing(rs: { roundId: bigint; updatedAt: bigint }[]): void {
  rs.forEach((r, i) => {
    expect(r.roundId).toBe(BigInt(i + 1));
    if (i > 0) expect(r.updatedAt).toBeGreaterThan(rs[i - 1]!.updatedAt);
  });
}

describe('SyiPublisher on anvil', () => {
  const t0 = nowS() - 3_000;

  it('publishes the first record; then a deviation of 1 bp publishes and 0.5 bp does not', async () => {
    const p = publisher();
    p.ingest(record(t0, 3));
    expect(await p.runOnce()).toMatchObject({ published: true, decision: { reason: 'first' } });
    expect((await readLatestSyi(chain.anvil.client, feed))?.answer).toBe(300_000_000n);

    p.ingest(record(t0 + 60, 3.00015)); // 0.5 bp
    expect(await p.runOnce()).toMatchObject({
      published: false,
      decision: { reason: 'within-band', deviationBps: 0.5 },
    });
    expect((await readLatestSyi(chain.anvil.client, feed))?.roundId).toBe(1n);

    p.ingest(record(t0 + 120, 3.0003)); // 1 bp
    const r = await p.runOnce();
    expect(r).toMatchObject({
      published: true,
      decision: { reason: 'deviation', deviationBps: 1 },
      result: { status: 'mined' },
    });
    const onchain = await readLatestSyi(chain.anvil.client, feed);
    expect(onchain).toMatchObject({ roundId: 2n, answer: 300_030_000n, updatedAt: BigInt(t0 + 120) });
    expect(p.status()).toMatchObject({
      publishesTotal: 2,
      onchain: { roundId: '2', value: 3.0003, updatedAt: t0 + 120 },
      deviationBps: 0,
    });
  });

  it(
    'failover: the new active keeper learns the chain T first; an older record never rolls it ' +
      'back; rounds stay strictly increasing',
    async () => {
      const store = new MemoryTxStateStore(); // the shared in-flight record of the two replicas
      const a = publisher(store, true);
      const b = publisher(store, false);
      await b.start(); // the standby follows the chain from the start
      // A publishes a deviation; the standby sees the same records.
      for (const p of [a, b]) p.ingest(record(t0 + 180, 3.1));
      expect((await a.runOnce()).published).toBe(true);
      a.setActive(false);
      // B took over having seen only an older record (it lagged): nothing older than the chain goes out.
      const lagging = publisher(store, false);
      lagging.ingest(record(t0 + 120, 3.5));
      lagging.setActive(true);
      expect(await lagging.runOnce()).toMatchObject({ published: false, decision: { reason: 'not-newer' } });
      // The old replica, demoted, publishes nothing even with a newer record.
      a.ingest(record(t0 + 240, 3.3));
      expect((await a.runOnce()).published).toBe(false);
      // B, now active, publishes the next record as round 4.
      b.ingest(record(t0 + 240, 3.3));
      b.setActive(true);
      expect(await b.runOnce()).toMatchObject({ published: true, result: { status: 'mined' } });
      await b.stop();
      const rs = await rounds();
      expect(rs.map((r) => Number(r.updatedAt) - t0)).toEqual([0, 120, 180, 240]);
      expectStrictlyIncreasing(rs);
    },
  );

  it(
    'one account, two duties: a Pyth push and a SYI publish started together both land, on ' + 'consecutive nonces',
    async () => {
      const store = new MemoryTxStateStore();
      const submitter = chain.submitter({}, store);
      const { publicClient } = chain.clients();
      const p = new SyiPublisher(
        { feed, triggers: defaultSyiTriggers, refreshMs: 60_000, debounceMs: 60_000 },
        { publicClient, submitter },
      );
      p.ingest(record(t0 + 300, 3.4));
      const t = nowS();
      // Blocks every second instead of on each transaction: both duties decide while the other's
      // transaction is still pending, where two senders of one account would take the same nonce.
      await chain.anvil.rpc('evm_setAutomine', [false]);
      await chain.anvil.rpc('evm_setIntervalMining', [1]);
      const [push, publish] = await Promise.all([
        submitter.submit(batchOf([{ id: FEEDS.usdc, price: 100_000_000n, publishTime: t }])),
        p.runOnce(),
      ]).finally(async () => {
        await chain.anvil.rpc('evm_setIntervalMining', [0]);
        await chain.anvil.rpc('evm_setAutomine', [true]);
      });
      expect(push.status).toBe('mined');
      expect(publish.result?.status).toBe('mined');
      const nonces = [push, publish.result!].map((r) => ('nonce' in r ? r.nonce : -1)).sort((x, y) => x - y);
      expect(nonces[1]! - nonces[0]!).toBe(1);
      const hashes = [push, publish.result!].map((r): Hex | undefined => ('hash' in r ? r.hash : undefined));
      const txs = await Promise.all(hashes.map((hash) => chain.anvil.client.getTransaction({ hash: hash! })));
      expect(new Set(txs.map((tx) => tx.from.toLowerCase()))).toEqual(new Set([chain.keeper.toLowerCase()]));
      expectStrictlyIncreasing(await rounds());
    },
  );
});
