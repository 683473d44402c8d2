import { checkCcPrice, checkMktcap, checkTbill, PLAUSIBLE } from './validate';

describe('plausibility bounds', () => {
  it('refuses a market cap, price or volume far outside anything real', () => {
    expect(checkMktcap({ symbol: 'USDC', marketCapUsd: 1e300, ts: 1 })).toMatch(/marketCapUsd .* is implausible/);
    expect(checkMktcap({ symbol: 'USDC', marketCapUsd: 6e10, ts: 1 })).toBeNull();
    expect(checkCcPrice({ symbol: 'USDC', venue: 'binance', price: 1e200, ts: 1 })).toMatch(/price .* is implausible/);
    expect(
      checkCcPrice({ symbol: 'USDC', venue: 'binance', price: 1, volume24hUsd: PLAUSIBLE.maxUsd * 10, ts: 1 }),
    ).toMatch(/volume24hUsd/);
  });

  it('refuses a T-bill rate outside -20..100 %', () => {
    expect(checkTbill({ series: 'yield-3m', rate: 4.3, date: '2026-01-02', ts: 1 })).toBeNull();
    expect(checkTbill({ series: 'yield-3m', rate: 430, date: '2026-01-02', ts: 1 })).toMatch(/rate 430 is implausible/);
  });
});
