// Scenarios loaded at run time through the control API, observed through the public endpoints.
import {
  mapBinanceTicker24hr,
  mapCryptoComparePriceMultiFull,
  mapDefiLlamaPools,
  mapDefiLlamaStablecoins,
  mapFredObservations,
  parseHermesPriceUpdateText,
} from '@stableyield/upstream';
import { ASSETS } from '@stableyield/market-model';
import { postScenario, simForTests, startTestSim, waitFor } from '../test/sim';

const sim = simForTests({ tickRate: 10 });
afterEach(async () => {
  await fetch(`${sim.url}/_control/scenario`, { method: 'DELETE' });
});

function parseOrNull(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

async function ccPrice(symbol: string): Promise<number> {
  const res = await fetch(`${sim.url}/cryptocompare/data/pricemultifull?fsyms=${symbol}&tsyms=USD`);
  const r = mapCryptoComparePriceMultiFull(await res.json());
  if (!r.ok) throw new Error(r.reason);
  return r.records[0]!.price;
}

describe('control API', () => {
  it('rejects an invalid scenario with the reason, and accepts YAML', async () => {
    const bad = await postScenario(sim.url, { events: [{ type: 'depeg', symbol: 'USDC' }] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('events.0.price');
    const yaml = 'name: yaml-test\nevents:\n  - { type: outage, source: fred, at: 1h }\n';
    const ok = await fetch(`${sim.url}/_control/scenario`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: yaml,
    });
    expect(ok.status).toBe(200);
    const state = (await (await fetch(`${sim.url}/_control/state`)).json()) as {
      scenario: { name: string; events: { at: number }[] };
      activeEvents: unknown[];
      tickRate: number;
    };
    expect(state.scenario.name).toBe('yaml-test');
    expect(state.scenario.events[0]!.at).toBe(3_600_000);
    expect(state.activeEvents).toEqual([]);
    expect(state.tickRate).toBe(10);
  });

  it('changes the tick rate at run time', async () => {
    const res = await fetch(`${sim.url}/_control/tick-rate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tickRate: 50 }),
    });
    expect(res.status).toBe(200);
    const state = (await (await fetch(`${sim.url}/_control/state`)).json()) as {
      tickRate: number;
      slot: number;
      now: number;
    };
    expect(state.tickRate).toBe(50);
    expect(state.slot).toBe(Math.floor((state.now * 50) / 1000));
    const bad = await fetch(`${sim.url}/_control/tick-rate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tickRate: 0 }),
    });
    expect(bad.status).toBe(400);
    await fetch(`${sim.url}/_control/tick-rate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tickRate: 10 }),
    });
  });
});

describe('scenarios', () => {
  it('depeg: every venue follows the price path', async () => {
    expect(Math.abs((await ccPrice('USDC')) - 1)).toBeLessThan(0.002);
    await postScenario(sim.url, { events: [{ type: 'depeg', symbol: 'USDC', price: 0.95, duration: '1m' }] });
    expect(await ccPrice('USDC')).toBeCloseTo(0.95, 3);
    // Pyth prices are those of the current slot, which may have started before the scenario was loaded.
    const usdc = ASSETS.find((a) => a.symbol === 'USDC')!.pythId;
    const pythPrice = await waitFor(
      async () => {
        const pyth = await fetch(`${sim.url}/hermes/v2/updates/price/latest?ids[]=${usdc}`);
        const r = parseHermesPriceUpdateText(await pyth.text(), { feedSymbols: { [usdc]: 'USDC' }, receivedAt: 0 });
        if (!r.ok) throw new Error(r.reason);
        return r.records.prices[0]!.price < 0.99 ? r.records.prices[0]!.price : undefined;
      },
      5000,
      'the depeg in the next slot',
    );
    expect(pythPrice).toBeCloseTo(0.95, 3);
    const ticker = mapBinanceTicker24hr(
      await (await fetch(`${sim.url}/binance/api/v3/ticker/24hr?symbol=USDCUSDT`)).json(),
      [{ pair: 'USDCUSDT', symbol: 'USDC' }],
    );
    expect(ticker.ok && ticker.records[0]!.price).toBeCloseTo(0.95, 3);
    expect(Math.abs((await ccPrice('USDT')) - 1)).toBeLessThan(0.002);
  });

  it('outage 503 for one source only', async () => {
    await postScenario(sim.url, { events: [{ type: 'outage', source: 'defillama-yields', duration: '1m' }] });
    expect((await fetch(`${sim.url}/defillama/yields/pools`)).status).toBe(503);
    expect((await fetch(`${sim.url}/defillama/stablecoins/stablecoins`)).status).toBe(200);
  });

  it('an outage starts at its offset', async () => {
    await postScenario(sim.url, { events: [{ type: 'outage', source: 'fred', at: '300ms', duration: '1m' }] });
    const url = `${sim.url}/fred/fred/series/observations?series_id=DGS3MO&api_key=k&file_type=json`;
    expect((await fetch(url)).status).toBe(200);
    await waitFor(async () => ((await fetch(url)).status === 503 ? true : undefined), 5000, 'the outage');
  });

  it('malformed: with rate 1 every answer fails parsing with a reason; with 0.5 every other one', async () => {
    await postScenario(sim.url, {
      events: [
        { type: 'malformed', source: 'defillama-stablecoins', duration: '1m' },
        { type: 'malformed', source: 'fred', rate: 0.5, duration: '1m' },
      ],
    });
    const reasons: string[] = [];
    for (let i = 0; i < 2; i++) {
      const text = await (await fetch(`${sim.url}/defillama/stablecoins/stablecoins?includePrices=true`)).text();
      const body = parseOrNull(text);
      if (body === null) {
        reasons.push('not JSON');
        continue;
      }
      const r = mapDefiLlamaStablecoins(body, { symbols: ['USDC'], fetchedAt: 0 });
      expect(r.ok).toBe(false);
      if (!r.ok) reasons.push(r.reason);
    }
    // Alternating variants: one truncated body, one with a wrong field named in the reason.
    expect(reasons).toHaveLength(2);
    expect(reasons).toEqual(
      expect.arrayContaining(['not JSON', expect.stringContaining('peggedAssets.0.circulating.peggedUSD') as string]),
    );
    const fredOk: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      const text = await (
        await fetch(`${sim.url}/fred/fred/series/observations?series_id=DGS3MO&api_key=k&file_type=json`)
      ).text();
      const body = parseOrNull(text);
      fredOk.push(body !== null && mapFredObservations(body, 'DGS3MO').ok);
    }
    expect(fredOk.filter((x) => x)).toHaveLength(2);
  });

  it('apy-outlier shows up in /pools', async () => {
    await postScenario(sim.url, {
      events: [{ type: 'apy-outlier', symbol: 'USDT', pool: 0, apyBase: 97.5, duration: '1m' }],
    });
    const r = mapDefiLlamaPools(await (await fetch(`${sim.url}/defillama/yields/pools`)).json(), {
      symbols: ['USDT'],
      fetchedAt: 0,
    });
    expect(r.ok && r.records.filter((p) => p.apyBase === 97.5)).toHaveLength(1);
  });
});

describe('scenario file at start-up', () => {
  it('loads MARKET_SIM_SCENARIO_PATH and applies it from the start', async () => {
    const withFile = await startTestSim({ scenarioFile: `${__dirname}/../scenarios/bad-data.yaml` });
    try {
      const state = (await (await fetch(`${withFile.url}/_control/state`)).json()) as {
        scenario: { name: string };
        activeEvents: { type: string }[];
      };
      expect(state.scenario.name).toBe('bad-data');
      expect(state.activeEvents.map((e) => e.type)).toEqual(['apy-outlier', 'malformed', 'malformed']);
      const pools = mapDefiLlamaPools(await (await fetch(`${withFile.url}/defillama/yields/pools`)).json(), {
        symbols: ['DAI'],
        fetchedAt: 0,
      });
      // The first /pools answer (of a 0.5 rate) is well-formed and carries the outlier.
      expect(pools.ok && pools.records.some((p) => p.apyBase === 85)).toBe(true);
    } finally {
      await withFile.close();
    }
  });

  it('refuses to start with an invalid scenario file', async () => {
    await expect(startTestSim({ scenarioFile: `${__dirname}/../package.json` })).rejects.toThrow('invalid scenario');
  });
});
