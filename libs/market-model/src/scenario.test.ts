import { parse as parseYaml } from 'yaml';
import { Market } from './market';
import { depegWeight, effectsAt, parseScenario, type LoadedScenario, type Scenario } from './scenario';

const T0 = 1_800_000_000_000;

function load(input: unknown): LoadedScenario {
  const r = parseScenario(input);
  if (!r.ok) throw new Error(r.reason);
  return { scenario: r.scenario, startedAt: T0 };
}

describe('scenario file', () => {
  it('parses YAML with durations in units', () => {
    const loaded = load(
      parseYaml(`
name: usdc-depeg
events:
  - { type: depeg, at: 30s, symbol: USDC, price: 0.97, ramp: 10s, duration: 2m }
  - { type: outage, at: 1m, source: binance, duration: 500ms }
  - { type: hermes, at: 0, mode: "429", retryAfterSeconds: 5, duration: 1h }
`),
    );
    const [depeg, outage, hermes] = loaded.scenario.events;
    expect(depeg).toMatchObject({ at: 30_000, ramp: 10_000, duration: 120_000 });
    expect(outage).toMatchObject({ at: 60_000, duration: 500, mode: '503' });
    expect(hermes).toMatchObject({ at: 0, duration: 3_600_000, mode: '429', retryAfterSeconds: 5 });
  });

  it('rejects unknown types, sources and bad durations with the path', () => {
    const cases: [unknown, string][] = [
      [{ events: [{ type: 'meteor' }] }, 'events.0.type'],
      [{ events: [{ type: 'outage', source: 'coinbase' }] }, 'events.0.source'],
      [{ events: [{ type: 'outage', source: 'fred', duration: 'soon' }] }, 'expected a duration'],
      [{ events: [{ type: 'malformed', source: 'fred', rate: 2 }] }, 'events.0.rate'],
    ];
    for (const [input, text] of cases) {
      const r = parseScenario(input);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toContain(text);
    }
  });
});

describe('scenario effects', () => {
  const loaded = load({
    events: [
      { type: 'outage', at: '10s', source: 'fred', duration: '5s', mode: 'drop' },
      { type: 'malformed', at: 0, source: 'binance', rate: 0.25 },
      { type: 'malformed', at: '1s', source: 'binance', rate: 0.5, duration: '1s' },
      { type: 'hermes', at: '20s', mode: 'silent', duration: '10s' },
    ],
  });

  it('activates events in [at, at + duration)', () => {
    expect(effectsAt(loaded, T0 + 9_999).outage('fred')).toBeNull();
    expect(effectsAt(loaded, T0 + 10_000).outage('fred')).toBe('drop');
    expect(effectsAt(loaded, T0 + 15_000).outage('fred')).toBeNull();
    expect(effectsAt(loaded, T0 + 10_000).outage('binance')).toBeNull();
    expect(effectsAt(loaded, T0).malformedRate('binance')).toBe(0.25);
    expect(effectsAt(loaded, T0 + 1_500).malformedRate('binance')).toBe(0.5);
    expect(effectsAt(loaded, T0 + 25_000).hermesMode()?.mode).toBe('silent');
    expect(effectsAt(loaded, T0 + 30_000).hermesMode()).toBeNull();
    expect(effectsAt(null, T0).malformedRate('binance')).toBe(0);
  });

  it('ramps a depeg up, holds it, and ramps it back down', () => {
    const scenario: Scenario = {
      name: 'd',
      events: [{ type: 'depeg', at: 1000, symbol: 'USDC', price: 0.9, ramp: 1000, duration: 5000 }],
    };
    const l = { scenario, startedAt: T0 };
    const e = scenario.events[0]!;
    if (e.type !== 'depeg') throw new Error('type');
    expect([0, 1000, 1500, 2000, 5999, 6000, 6500, 7000, 9000].map((dt) => depegWeight(e, l, T0 + dt))).toEqual([
      0, 0, 0.5, 1, 1, 1, 0.5, 0, 0,
    ]);

    const m = new Market(11);
    const normal = m.fairPrice('USDC', T0 + 3000);
    m.setScenario(l);
    expect(m.fairPrice('USDC', T0 + 3000)).toBe(0.9);
    expect(m.fairPrice('USDC', T0 + 1500)).toBeCloseTo((normal + 0.9) / 2, 3);
    expect(m.fairPrice('USDT', T0 + 3000)).toBe(new Market(11).fairPrice('USDT', T0 + 3000));
  });

  it('an APY outlier replaces the pool apyBase while active', () => {
    const m = new Market(3);
    m.setScenario(load({ events: [{ type: 'apy-outlier', symbol: 'DAI', pool: 1, apyBase: 85, duration: '1m' }] }));
    const daiPools = (t: number): (number | null)[] =>
      m
        .pools(t)
        .filter((p) => p.symbol === 'DAI')
        .map((p) => p.apyBase);
    expect(daiPools(T0 + 1000)).toContain(85);
    expect(daiPools(T0 + 61_000)).not.toContain(85);
  });
});
