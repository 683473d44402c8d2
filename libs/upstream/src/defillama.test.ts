import { fixtureJson } from '../test/fixtures';
import { mapDefiLlamaPools, mapDefiLlamaStablecoins } from './defillama';

// The transcribed excerpt wraps the pools as {count, results}; DefiLlama's envelope is {status, data}.
function poolsBody(): { status: string; data: Record<string, unknown>[] } {
  const excerpt = fixtureJson('defillama_yields_pools_top10_excerpt_TRANSCRIBED.json') as {
    results: Record<string, unknown>[];
  };
  return { status: 'success', data: excerpt.results };
}

describe('DefiLlama /pools', () => {
  it('accepts all ten real pools and keeps single-asset pools of configured symbols', () => {
    expect(mapDefiLlamaPools(poolsBody(), { symbols: ['USDC'], fetchedAt: 1 })).toEqual({ ok: true, records: [] });
    expect(mapDefiLlamaPools(poolsBody(), { symbols: ['SUSDE', 'WEETH'], fetchedAt: 1735000000000 })).toEqual({
      ok: true,
      records: [
        {
          pool: '46bd2bdf-6d92-4066-b482-e885ee172264',
          project: 'ether.fi-stake',
          chain: 'Ethereum',
          symbol: 'WEETH',
          tvlUsd: 11537972738,
          apyBase: 3.114,
          apyReward: 0.30537,
          apy: 3.41937,
          ts: 1735000000000,
        },
        {
          pool: 'db678df9-3281-4bc2-a8bb-01160ffd6d48',
          project: 'aave-v3',
          chain: 'Ethereum',
          symbol: 'WEETH',
          tvlUsd: 8129942976,
          apyBase: 0.00039,
          apyReward: null,
          apy: 0.00039,
          ts: 1735000000000,
        },
        {
          pool: '66985a81-9c51-46ca-9977-42b4fe7bc6df',
          project: 'ethena-usde',
          chain: 'Ethereum',
          symbol: 'SUSDE',
          tvlUsd: 5716328603,
          apyBase: 5.32927,
          apyReward: null,
          apy: 5.32927,
          ts: 1735000000000,
        },
      ],
    });
  });

  it('drops multi-exposure pools and rejects a negative TVL of a kept pool', () => {
    const body = poolsBody();
    body.data.push({ ...body.data[5], pool: 'multi', symbol: 'USDC-USDT', exposure: 'multi' });
    body.data.push({ ...body.data[5], pool: 'neg', symbol: 'USDC', tvlUsd: -1 });
    expect(mapDefiLlamaPools(body, { symbols: ['USDC-USDT'], fetchedAt: 1 })).toEqual({ ok: true, records: [] });
    expect(mapDefiLlamaPools(body, { symbols: ['USDC'], fetchedAt: 1 })).toEqual({
      ok: false,
      reason: 'defillama-yields: pool neg (USDC): tvlUsd must be a finite number >= 0, got -1',
    });
  });

  it.each([
    [{ tvlUsd: 1e308 }, 'tvlUsd 1e+308 is implausible (above 10000000000000)'],
    [{ apyBase: 1e9 }, 'apyBase 1000000000 is implausible (outside -100..10000 %)'],
    [{ apyReward: -500 }, 'apyReward -500 is implausible (outside -100..10000 %)'],
    [{ apy: 50_000 }, 'apy 50000 is implausible (outside -100..10000 %)'],
  ])('refuses finite but absurd numbers (%o) with the reason', (absurd, reason) => {
    const body = poolsBody();
    body.data.push({ ...body.data[5], pool: 'absurd', symbol: 'USDC', ...absurd });
    expect(mapDefiLlamaPools(body, { symbols: ['USDC'], fetchedAt: 1 })).toEqual({
      ok: false,
      reason: `defillama-yields: pool absurd (USDC): ${reason}`,
    });
  });

  it('names the field of an invalid pool and rejects the wrong envelope', () => {
    const body = poolsBody();
    body.data[2] = { ...body.data[2], apyBase: 'high' };
    const r = mapDefiLlamaPools(body, { symbols: [], fetchedAt: 1 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain('data.2.apyBase');
    const wrapped = mapDefiLlamaPools(fixtureJson('defillama_yields_pools_top10_excerpt_TRANSCRIBED.json'), {
      symbols: [],
      fetchedAt: 1,
    });
    expect(wrapped.ok).toBe(false);
  });
});

describe('DefiLlama /stablecoins', () => {
  it('maps the 206-asset Q4 2024 capture for the six constituents', () => {
    const r = mapDefiLlamaStablecoins(fixtureJson('defillama_stablecoins_includePrices_206assets_2024Q4.json'), {
      symbols: ['DAI', 'FDUSD', 'PYUSD', 'USDC', 'USDT', 'USDe', 'USDS'],
      fetchedAt: 1733500000000,
    });
    expect(r).toEqual({
      ok: true,
      records: [
        { symbol: 'DAI', marketCapUsd: 4677073760.485132, ts: 1733500000000 },
        { symbol: 'FDUSD', marketCapUsd: 2116938035.0800002, ts: 1733500000000 },
        { symbol: 'PYUSD', marketCapUsd: 501000824.277915, ts: 1733500000000 },
        { symbol: 'USDC', marketCapUsd: 36710068118.46206, ts: 1733500000000 },
        { symbol: 'USDT', marketCapUsd: 127670074069.01582, ts: 1733500000000 },
        { symbol: 'USDe', marketCapUsd: 3133277604.7466116, ts: 1733500000000 },
        // Four assets are called USDS; the largest (Sky Dollar) wins.
        { symbol: 'USDS', marketCapUsd: 898015337.1381109, ts: 1733500000000 },
      ],
    });
  });

  it('rejects a negative market cap and a wrong shape', () => {
    const r = mapDefiLlamaStablecoins(
      { peggedAssets: [{ id: '1', symbol: 'USDT', circulating: { peggedUSD: -3 }, price: 1 }] },
      { symbols: ['USDT'], fetchedAt: 1 },
    );
    expect(r).toEqual({
      ok: false,
      reason: 'defillama-stablecoins: USDT: marketCapUsd must be a finite number >= 0, got -3',
    });
    const shape = mapDefiLlamaStablecoins(
      { peggedAssets: [{ id: 1, symbol: 'USDT' }] },
      { symbols: ['USDT'], fetchedAt: 1 },
    );
    expect(shape.ok).toBe(false);
    if (!shape.ok) expect(shape.reason).toContain('peggedAssets.0.id');
  });
});
