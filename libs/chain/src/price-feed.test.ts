import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PythUpdate, type PythUpdateFeed } from '@stableyield/schemas';
import fc from 'fast-check';
import { encodeAbiParameters } from 'viem';
import {
  decodeMockPriceFeedUpdate,
  encodeMockPriceFeedUpdate,
  mergeUpdateData,
  mockPythUpdateParams,
  normalizeFeedId,
  sourcePricesOf,
} from './price-feed';
import { FileTxStateStore } from './tx/nonce-manager';

const ID = 'EAA020C61CC479712813461CE153894A96A6C00B21ED0CFC2798D1F9A9E9C94A';
const ID2 = '2b89b9dc8fdf9f34709a5b106b472f0f39bb6ca9ce04b0fd7f2e971688e2e53b';

function feedOf(feedId: string, price: string, conf: string, publishTime: number): PythUpdateFeed {
  const rest = { symbol: null, expo: -8, emaPrice: price, emaConf: conf, slot: null, prevPublishTime: null };
  return { feedId, price, conf, publishTime, ...rest };
}

function record(encoding: string, data: string[], feeds: PythUpdateFeed[]): PythUpdate {
  return { encoding, data, feeds, receivedAt: 0, ts: 0 };
}

describe('price feed payloads', () => {
  it('normalises ids and rejects anything else', () => {
    expect(normalizeFeedId(ID)).toBe(`0x${ID.toLowerCase()}`);
    expect(() => normalizeFeedId('0x1234')).toThrow(/32-byte/);
  });

  it('round-trips the MockPyth encoding, including negative prices and exponents', () => {
    const u = {
      id: normalizeFeedId(ID),
      price: -123_456_789n,
      conf: 42n,
      expo: -8,
      publishTime: 1_700_000_000,
      emaPrice: 5n,
      emaConf: 6n,
      prevPublishTime: 1_699_999_999,
    };
    expect(decodeMockPriceFeedUpdate(encodeMockPriceFeedUpdate(u))).toEqual(u);
  });

  it('splits a pyth.updates record per feed: one mock blob per feed, or the shared accumulator blob', () => {
    const a = encodeMockPriceFeedUpdate({ id: ID, price: 1n, conf: 1n, expo: -8, publishTime: 10 });
    const b = encodeMockPriceFeedUpdate({ id: ID2, price: 2n, conf: 1n, expo: -8, publishTime: 10 });
    const feeds = [feedOf(ID, '100000000', '5', 10), feedOf(ID2, '99990000', '7', 11)];
    const mock = sourcePricesOf(record('hex', [a.slice(2), b.slice(2)], feeds));
    expect(mock.map((s) => s.updateData)).toEqual([[a], [b]]);
    expect(mock[1]?.info).toEqual({ price: 99_990_000n, conf: 7n, expo: -8, publishTime: 11 });

    const accumulator = '504e41550100';
    const real = sourcePricesOf(record('hex', [accumulator, `${accumulator}ff`], feeds));
    expect(real.map((s) => s.updateData)).toEqual([
      [`0x${accumulator}`, `0x${accumulator}ff`],
      [`0x${accumulator}`, `0x${accumulator}ff`],
    ]);
    expect(mergeUpdateData(real)).toEqual([`0x${accumulator}`, `0x${accumulator}ff`]);
  });

  it('reads base64 payloads as hex and rejects an unknown encoding', () => {
    const blob = encodeMockPriceFeedUpdate({ id: ID, price: 100_012_345n, conf: 20_000n, expo: -8, publishTime: 17 });
    const base64 = Buffer.from(blob.slice(2), 'hex').toString('base64');
    const [source] = sourcePricesOf(record('base64', [base64], [feedOf(ID, '100012345', '20000', 17)]));
    expect(source?.id).toBe(`0x${ID.toLowerCase()}`);
    expect(source?.updateData).toEqual([blob]);
    expect(decodeMockPriceFeedUpdate(source!.updateData[0]!).price).toBe(100_012_345n);
    expect(() => sourcePricesOf(record('rot13', ['00'], []))).toThrow(/encoding/);
  });
});

describe('MockPyth encoder', () => {
  it('equals viem encodeAbiParameters for any values in range', () => {
    const i64 = fc.bigInt(-(1n << 63n), (1n << 63n) - 1n);
    const u64 = fc.bigInt(0n, (1n << 64n) - 1n);
    const expo = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    fc.assert(
      fc.property(i64, u64, expo, i64, u64, u64, u64, (price, conf, ex, ema, emaConf, t, prev) => {
        const expected = encodeAbiParameters(mockPythUpdateParams, [
          {
            id: normalizeFeedId(ID),
            price: { price, conf, expo: ex, publishTime: t },
            emaPrice: { price: ema, conf: emaConf, expo: ex, publishTime: t },
          },
          prev,
        ]);
        const input = { id: ID, price, conf, expo: ex, emaPrice: ema, emaConf, publishTime: t, prevPublishTime: prev };
        expect(encodeMockPriceFeedUpdate(input)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects out-of-range values and bad ids', () => {
    const base = { id: ID, price: 1n, conf: 1n, expo: -8, publishTime: 1 };
    expect(() => encodeMockPriceFeedUpdate({ ...base, price: 1n << 63n })).toThrow('does not fit in int64');
    expect(() => encodeMockPriceFeedUpdate({ ...base, conf: -1n })).toThrow('does not fit in uint64');
    expect(() => encodeMockPriceFeedUpdate({ ...base, id: 'abc' })).toThrow('32-byte');
  });
});

describe('FileTxStateStore', () => {
  it('persists the in-flight record with its bigint fees, and clears it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'txstate-')), 'sub', 'tx.json');
    const store = new FileTxStateStore(path);
    expect(await store.load()).toBeUndefined();
    const tx = {
      nonce: 7,
      hashes: ['0xaa', '0xbb'] as `0x${string}`[],
      fees: { maxFeePerGas: 2n ** 70n, maxPriorityFeePerGas: 3n },
      firstSentAtMs: 123,
    };
    await store.save(tx);
    expect(await new FileTxStateStore(path).load()).toEqual(tx);
    await store.clear();
    expect(await store.load()).toBeUndefined();
  });
});
