import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeMockPriceFeedUpdate,
  encodeMockPriceFeedUpdate,
  mergeUpdateData,
  normalizeFeedId,
  sourcePricesFromHermes,
} from './price-feed';
import { FileTxStateStore } from './tx/nonce-manager';

const ID = 'EAA020C61CC479712813461CE153894A96A6C00B21ED0CFC2798D1F9A9E9C94A';
const ID2 = '2b89b9dc8fdf9f34709a5b106b472f0f39bb6ca9ce04b0fd7f2e971688e2e53b';

describe('price feed payloads', () => {
  it('normalises ids and rejects anything else', () => {
    expect(normalizeFeedId(ID)).toBe(`0x${ID.toLowerCase()}`);
    expect(() => normalizeFeedId('0x1234')).toThrow(/32-byte/);
  });

  it('round-trips the MockPyth encoding, including negative prices and exponents', () => {
    const u = { id: normalizeFeedId(ID), price: -123_456_789n, conf: 42n, expo: -8, publishTime: 1_700_000_000, emaPrice: 5n, emaConf: 6n, prevPublishTime: 1_699_999_999 };
    expect(decodeMockPriceFeedUpdate(encodeMockPriceFeedUpdate(u))).toEqual(u);
  });

  it('splits a Hermes update per feed: one mock blob per feed, or the shared accumulator blob', () => {
    const a = encodeMockPriceFeedUpdate({ id: normalizeFeedId(ID), price: 1n, conf: 1n, expo: -8, publishTime: 10 });
    const b = encodeMockPriceFeedUpdate({ id: normalizeFeedId(ID2), price: 2n, conf: 1n, expo: -8, publishTime: 10 });
    const parsed = [
      { id: ID, price: { price: '100000000', conf: '5', expo: -8, publish_time: 10 } },
      { id: ID2, price: { price: '99990000', conf: '7', expo: -8, publish_time: 11 } },
    ];
    const mock = sourcePricesFromHermes({ binary: { encoding: 'hex', data: [a.slice(2), b.slice(2)] }, parsed });
    expect(mock.map((s) => s.updateData)).toEqual([[a], [b]]);
    expect(mock[1]?.info).toEqual({ price: 99_990_000n, conf: 7n, expo: -8, publishTime: 11 });

    const accumulator = '504e41550100';
    const real = sourcePricesFromHermes({ binary: { encoding: 'hex', data: [accumulator, `${accumulator}ff`] }, parsed });
    expect(real.map((s) => s.updateData)).toEqual([
      [`0x${accumulator}`, `0x${accumulator}ff`],
      [`0x${accumulator}`, `0x${accumulator}ff`],
    ]);
    expect(mergeUpdateData(real)).toEqual([`0x${accumulator}`, `0x${accumulator}ff`]);
  });
});

describe('FileTxStateStore', () => {
  it('persists the in-flight record with its bigint fees, and clears it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'txstate-')), 'sub', 'tx.json');
    const store = new FileTxStateStore(path);
    expect(await store.load()).toBeUndefined();
    const tx = { nonce: 7, hashes: ['0xaa', '0xbb'] as `0x${string}`[], fees: { maxFeePerGas: 2n ** 70n, maxPriorityFeePerGas: 3n }, firstSentAtMs: 123 };
    await store.save(tx);
    expect(await new FileTxStateStore(path).load()).toEqual(tx);
    await store.clear();
    expect(await store.load()).toBeUndefined();
  });
});
