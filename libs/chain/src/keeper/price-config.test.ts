import { parsePriceConfig, type Thresholds } from './price-config';

const defaults: Thresholds = { timeDifferenceS: 300, priceDeviationPct: 0.01, confidenceRatioPct: 100 };
const USDC = 'eaa020c61cc479712813461ce153894a96a6c00b21ed0cfc2798d1f9a9e9c94a';
const USDT = '2b89b9dc8fdf9f34709a5b106b472f0f39bb6ca9ce04b0fd7f2e971688e2e53b';

describe('parsePriceConfig', () => {
  it("reads the pusher's format, normalises ids and fills missing thresholds from the defaults", () => {
    const feeds = parsePriceConfig(
      `
- alias: USDC/USD
  id: ${USDC.toUpperCase()}
  time_difference: 60
  price_deviation: 0.5
  confidence_ratio: 1
  early_update:
    price_deviation: 0.1
- alias: USDT/USD
  id: 0x${USDT}
`,
      defaults,
    );
    expect(feeds).toEqual([
      {
        alias: 'USDC/USD',
        id: `0x${USDC}`,
        timeDifferenceS: 60,
        priceDeviationPct: 0.5,
        confidenceRatioPct: 1,
        earlyUpdate: { priceDeviationPct: 0.1 },
      },
      { alias: 'USDT/USD', id: `0x${USDT}`, timeDifferenceS: 300, priceDeviationPct: 0.01, confidenceRatioPct: 100 },
    ]);
  });

  it.each([
    ['a bad id', `- alias: A\n  id: 1234`, /0\.id: must be a 32-byte hex feed id/],
    ['a negative threshold', `- alias: A\n  id: ${USDC}\n  price_deviation: -1`, /0\.price_deviation/],
    ['an unknown key', `- alias: A\n  id: ${USDC}\n  deviation: 1`, /0: Unrecognized key/],
    ['an empty list', `[]`, /lists no feed/],
    ['a duplicate id', `- {alias: A, id: ${USDC}}\n- {alias: B, id: 0x${USDC}}`, /duplicate id/],
    ['a duplicate alias', `- {alias: A, id: ${USDC}}\n- {alias: A, id: ${USDT}}`, /duplicate alias A/],
  ])('rejects %s with a message naming the problem', (_what, yaml, message) => {
    expect(() => parsePriceConfig(yaml, defaults)).toThrow(message);
  });
});
