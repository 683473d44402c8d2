import { decodeMockPriceFeedUpdate, sourcePricesFromHermes } from '@stableyield/chain';
import { encodeMockPythUpdate } from '@stableyield/market-model';
import { type PythUpdate } from '@stableyield/schemas';
import { hermesUpdateFromRecord } from './pyth-update';

const ID = 'eaa020c61cc479712813461ce153894a96a6c00b21ed0cfc2798d1f9a9e9c94a';
const blob = encodeMockPythUpdate({ id: ID, price: 100_012_345n, conf: 20_000n, expo: -8, emaPrice: 100_000_000n, emaConf: 1n, publishTime: 1_700_000_000n, prevPublishTime: 1_699_999_999n });

function record(encoding: 'hex' | 'base64'): PythUpdate {
  const data = encoding === 'hex' ? blob.slice(2) : Buffer.from(blob.slice(2), 'hex').toString('base64');
  return {
    encoding,
    data: [data],
    feeds: [{ feedId: ID, symbol: 'USDC', price: '100012345', conf: '20000', expo: -8, publishTime: 1_700_000_000, emaPrice: '100000000', emaConf: '1', slot: 1, prevPublishTime: 1_699_999_999 }],
    receivedAt: 1_700_000_000_100,
    ts: 1_700_000_000_000,
  };
}

describe('hermesUpdateFromRecord', () => {
  it.each(['hex', 'base64'] as const)('gives the keeper integer prices and the %s blob as hex', (encoding) => {
    const [source] = sourcePricesFromHermes(hermesUpdateFromRecord(record(encoding)));
    expect(source?.id).toBe(`0x${ID}`);
    expect(source?.info).toEqual({ price: 100_012_345n, conf: 20_000n, expo: -8, publishTime: 1_700_000_000 });
    expect(decodeMockPriceFeedUpdate(source!.updateData[0]!).price).toBe(100_012_345n);
  });

  it('rejects an unknown encoding', () => {
    expect(() => hermesUpdateFromRecord({ ...record('hex'), encoding: 'rot13' })).toThrow(/encoding/);
  });
});
