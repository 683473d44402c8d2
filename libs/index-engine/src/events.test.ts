import { parseEventLine, validateEvent } from './events';

const line = (topic: string, value: unknown) => JSON.stringify({ topic, value });
const errorOf = (text: string) => {
  const result = parseEventLine(text);
  if (result.ok) throw new Error('expected the line to be rejected');
  return result.error;
};

describe('parseEventLine', () => {
  it('accepts every topic of the contract and keeps the fields v1 uses', () => {
    expect(
      parseEventLine(line('cc.prices', { symbol: 'USDC', venue: 'binance', price: 1.0001, volume24hUsd: 5, ts: 10 })),
    ).toEqual({
      ok: true,
      event: { topic: 'cc.prices', ts: 10, symbol: 'USDC', venue: 'binance', price: 1.0001, volume24hUsd: 5 },
    });
    expect(
      parseEventLine(
        line('pyth.prices', { symbol: 'USDC', feedId: 'ab', price: 1, conf: 0.1, publishTime: 1, ts: 10 }),
      ),
    ).toEqual({
      ok: true,
      event: { topic: 'pyth.prices', ts: 10, symbol: 'USDC', price: 1 },
    });
    expect(
      parseEventLine(line('cc.orderbook', { symbol: 'USDC', venue: 'binance', bids: [[0.99, 1]], asks: [], ts: 10 })),
    ).toEqual({
      ok: true,
      event: { topic: 'cc.orderbook', ts: 10, symbol: 'USDC', venue: 'binance', bids: [[0.99, 1]], asks: [] },
    });
    expect(
      parseEventLine(
        line('dl.apy', {
          pool: 'p',
          project: 'x',
          chain: 'y',
          symbol: 'USDC',
          tvlUsd: 1e7,
          apyBase: null,
          apyReward: 1,
          apy: 1,
          ts: 10,
        }),
      ),
    ).toEqual({
      ok: true,
      event: { topic: 'dl.apy', ts: 10, pool: 'p', symbol: 'USDC', tvlUsd: 1e7, apyBase: null },
    });
    expect(parseEventLine(line('ex.mktcap', { symbol: 'USDC', marketCapUsd: 0, ts: 10 }))).toEqual({
      ok: true,
      event: { topic: 'ex.mktcap', ts: 10, symbol: 'USDC', marketCapUsd: 0 },
    });
    expect(parseEventLine(line('trad.tbill', { series: 'DGS3MO', rate: -0.1, date: '2026-01-01', ts: 10 }))).toEqual({
      ok: true,
      event: { topic: 'trad.tbill', ts: 10, rate: -0.1 },
    });
  });
  it('treats a missing or null volume as no volume', () => {
    const result = parseEventLine(
      line('cc.prices', { symbol: 'USDC', venue: 'v', price: 1, volume24hUsd: null, ts: 1 }),
    );
    expect(result.ok && result.event.topic === 'cc.prices' && result.event.volume24hUsd).toBeUndefined();
  });
  it(
    'accepts what §7 does not call invalid: ' + 'zero quantities and TVL, a zero market cap, unused fields missing',
    () => {
      expect(
        parseEventLine(
          line('cc.orderbook', { symbol: 'USDC', venue: 'v', bids: [[0.99, 0]], asks: [[1.01, 0]], ts: 1 }),
        ).ok,
      ).toBe(true);
      expect(parseEventLine(line('dl.apy', { pool: 'p', symbol: 'USDC', tvlUsd: 0, apyBase: 1, ts: 1 })).ok).toBe(true);
      // no feedId, conf, publishTime
      expect(parseEventLine(line('pyth.prices', { symbol: 'USDC', price: 1, ts: 1 })).ok).toBe(true);
      expect(parseEventLine(line('trad.tbill', { rate: 3.9, ts: 1 })).ok).toBe(true); // no series, date
    },
  );
  it('accepts a negative APY (clamped later, not invalid)', () => {
    expect(parseEventLine(line('dl.apy', { pool: 'p', symbol: 'USDC', tvlUsd: 1, apyBase: -2, ts: 1 })).ok).toBe(true);
  });

  it.each([
    ['{"topic":', /^malformed JSON/],
    ['[1,2]', /must be a JSON object/],
    [line('cc.trades', { ts: 1 }), /^unknown topic "cc.trades"$/],
    [JSON.stringify({ value: {} }), /^topic must be a string/],
    [line('cc.prices', 5), /^cc.prices: value must be a JSON object/],
    [
      line('cc.prices', { symbol: 'USDC', venue: 'v', price: 0, ts: 1 }),
      /^cc.prices.price must be a finite number > 0 \(got 0\)$/,
    ],
    [
      line('cc.prices', { symbol: 'USDC', venue: 'v', price: '1', ts: 1 }),
      /^cc.prices.price must be a finite number > 0 \(got a string\)$/,
    ],
    [line('pyth.prices', { symbol: 'USDC', price: -1, ts: 1 }), /^pyth.prices.price must be a finite number > 0/],
    [
      line('cc.prices', { symbol: 'USDC', venue: 'v', price: 1, volume24hUsd: -1, ts: 1 }),
      /^cc.prices.volume24hUsd must be a finite number ≥ 0/,
    ],
    [
      line('cc.prices', { symbol: 'USDC', price: 1, ts: 1 }),
      /^cc.prices.venue must be a non-empty string \(got missing\)$/,
    ],
    [line('cc.prices', { venue: 'v', price: 1, ts: 1 }), /^cc.prices.symbol must be a non-empty string/],
    [
      line('cc.prices', { symbol: 'USDC', venue: 'v', price: 1 }),
      /^cc.prices.ts must be a finite number \(got missing\)$/,
    ],
    [line('cc.prices', { symbol: 'USDC', venue: 'v', price: 1, ts: '1' }), /^cc.prices.ts must be a finite number/],
    [
      line('cc.orderbook', { symbol: 'USDC', venue: 'v', bids: [[1]], asks: [], ts: 1 }),
      /^cc.orderbook.bids\[0\] must be a \[price, qty\] pair/,
    ],
    [
      line('cc.orderbook', { symbol: 'USDC', venue: 'v', bids: [], asks: [[1, -1]], ts: 1 }),
      /^cc.orderbook.asks\[0\].qty must be a finite number ≥ 0/,
    ],
    [
      line('cc.orderbook', { symbol: 'USDC', venue: 'v', bids: {}, asks: [], ts: 1 }),
      /^cc.orderbook.bids must be an array/,
    ],
    [line('dl.apy', { symbol: 'USDC', tvlUsd: 1, apyBase: 1, ts: 1 }), /^dl.apy.pool must be a non-empty string/],
    [
      line('dl.apy', { pool: 'p', symbol: 'USDC', tvlUsd: -1, apyBase: 1, ts: 1 }),
      /^dl.apy.tvlUsd must be a finite number ≥ 0/,
    ],
    [
      line('dl.apy', { pool: 'p', symbol: 'USDC', tvlUsd: 1, apyBase: 'NaN', ts: 1 }),
      /^dl.apy.apyBase must be null or a finite number/,
    ],
    [
      line('dl.apy', { pool: 'p', symbol: 'USDC', tvlUsd: 1, ts: 1 }),
      /^dl.apy.apyBase must be null or a finite number \(got missing\)/,
    ],
    [
      line('ex.mktcap', { symbol: 'USDC', marketCapUsd: -5, ts: 1 }),
      /^ex.mktcap.marketCapUsd must be a finite number ≥ 0/,
    ],
    [
      line('trad.tbill', { series: 'DGS3MO', rate: null, ts: 1 }),
      /^trad.tbill.rate must be a finite number \(got null\)/,
    ],
    // JSON has no NaN or Infinity, but 1e999 parses to Infinity: non-finite numbers are invalid
    [
      '{"topic":"cc.prices","value":{"symbol":"USDC","venue":"v","price":1e999,"ts":1}}',
      /^cc.prices.price must be a finite number > 0 \(got Infinity\)$/,
    ],
    [
      '{"topic":"cc.prices","value":{"symbol":"USDC","venue":"v","price":1,"volume24hUsd":1e999,"ts":1}}',
      /^cc.prices.volume24hUsd must be a finite number ≥ 0/,
    ],
    [
      '{"topic":"cc.orderbook","value":{"symbol":"USDC","venue":"v","bids":[[1,1e999]],"asks":[],"ts":1}}',
      /^cc.orderbook.bids\[0\].qty must be a finite number ≥ 0/,
    ],
    [
      '{"topic":"dl.apy","value":{"pool":"p","symbol":"USDC","tvlUsd":1e999,"apyBase":1,"ts":1}}',
      /^dl.apy.tvlUsd must be a finite number ≥ 0/,
    ],
    [
      '{"topic":"dl.apy","value":{"pool":"p","symbol":"USDC","tvlUsd":1,"apyBase":-1e999,"ts":1}}',
      /^dl.apy.apyBase must be null or a finite number/,
    ],
    [
      '{"topic":"ex.mktcap","value":{"symbol":"USDC","marketCapUsd":1e999,"ts":1}}',
      /^ex.mktcap.marketCapUsd must be a finite number ≥ 0/,
    ],
    [
      '{"topic":"cc.prices","value":{"symbol":"USDC","venue":"v","price":1,"ts":1e999}}',
      /^cc.prices.ts must be a finite number/,
    ],
    [
      line('cc.orderbook', { symbol: 'USDC', venue: 'v', bids: [[1, 1, 1]], asks: [], ts: 1 }),
      /^cc.orderbook.bids\[0\] must be a \[price, qty\] pair/,
    ],
    [
      line('cc.orderbook', { symbol: 'USDC', venue: 'v', bids: [], asks: [1], ts: 1 }),
      /^cc.orderbook.asks\[0\] must be a \[price, qty\] pair/,
    ],
    [
      line('cc.orderbook', { symbol: 'USDC', venue: 'v', bids: [[0, 1]], asks: [], ts: 1 }),
      /^cc.orderbook.bids\[0\].price must be a finite number > 0/,
    ],
    [
      line('cc.orderbook', { venue: 'v', bids: [], asks: [], ts: 1 }),
      /^cc.orderbook.symbol must be a non-empty string \(got missing\)/,
    ],
    [
      line('cc.orderbook', { symbol: 'USDC', bids: [], asks: [], ts: 1 }),
      /^cc.orderbook.venue must be a non-empty string \(got missing\)/,
    ],
    [line('pyth.prices', { price: 1, ts: 1 }), /^pyth.prices.symbol must be a non-empty string \(got missing\)/],
    [line('pyth.prices', { symbol: 'USDC', price: 1 }), /^pyth.prices.ts must be a finite number \(got missing\)/],
    [
      line('dl.apy', { pool: 'p', tvlUsd: 1, apyBase: 1, ts: 1 }),
      /^dl.apy.symbol must be a non-empty string \(got missing\)/,
    ],
    [
      line('dl.apy', { pool: 'p', symbol: 'USDC', tvlUsd: 1, apyBase: 1, ts: null }),
      /^dl.apy.ts must be a finite number \(got null\)/,
    ],
    [line('ex.mktcap', { marketCapUsd: 1, ts: 1 }), /^ex.mktcap.symbol must be a non-empty string \(got missing\)/],
    [line('ex.mktcap', { symbol: 'USDC', marketCapUsd: 1 }), /^ex.mktcap.ts must be a finite number \(got missing\)/],
    [line('trad.tbill', { series: 'DGS3MO', rate: 3.9 }), /^trad.tbill.ts must be a finite number \(got missing\)/],
  ])('rejects %s', (text, message) => {
    expect(errorOf(text)).toMatch(message);
  });

  it('validates already-parsed envelopes the same way (for consumers of Kafka records)', () => {
    expect(validateEvent({ topic: 'ex.mktcap', value: { symbol: 'DAI', marketCapUsd: 1, ts: 1 } }).ok).toBe(true);
    expect(validateEvent(null)).toEqual({
      ok: false,
      error: 'an event must be a JSON object {"topic": …, "value": {…}}',
    });
  });
});
