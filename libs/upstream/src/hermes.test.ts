import { fixtureJson, fixtureText } from '../test/fixtures';
import {
  mapHermesPriceUpdate,
  parseHermesErrorBody,
  parseHermesPriceFeeds,
  parseHermesSseFrame,
  type HermesMapOptions,
} from './hermes';
import { parseSseText } from './sse';

const BTC = 'e62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43';
const USDT = '2b89b9dc8fdf9f34709a5b106b472f0f39bb6ca9ce04b0fd7f2e971688e2e53b';
const USDC = 'eaa020c61cc479712813461ce153894a96a6c00b21ed0cfc2798d1f9a9e9c94a';

const options: HermesMapOptions = {
  // Any case and an 0x prefix are accepted in the map.
  feedSymbols: { [`0x${USDT.toUpperCase()}`]: 'USDT', [USDC]: 'USDC', [BTC]: 'BTC' },
  receivedAt: 1751042522000,
};

function mustOk<T>(r: { ok: true; records: T } | { ok: false; reason: string }): T {
  if (!r.ok) throw new Error(r.reason);
  return r.records;
}

describe('Hermes /v2/updates/price/latest', () => {
  it('maps the 20-feed capture of 2025-06-27T16:41:56Z', () => {
    const { update, prices } = mustOk(
      mapHermesPriceUpdate(fixtureJson('pyth_hermes_v2_latest_20feeds_20250627T164156Z.json'), options),
    );
    expect(update.encoding).toBe('hex');
    expect(update.data).toHaveLength(1);
    expect(update.data[0]!.length).toBe(15046);
    expect(update.data[0]!.startsWith('504e4155')).toBe(true);
    expect(update.feeds).toHaveLength(20);
    expect(update.receivedAt).toBe(1751042522000);
    expect(update.ts).toBe(1751042519000);
    expect(update.feeds[3]).toEqual({
      feedId: USDT,
      symbol: 'USDT',
      price: '100031861',
      conf: '58279',
      expo: -8,
      publishTime: 1751042519,
      emaPrice: '100037447',
      emaConf: '56020',
      slot: 226158958,
      prevPublishTime: 1751042519,
    });
    expect(update.feeds[2]!.symbol).toBeNull();
    expect(prices).toEqual([
      {
        symbol: 'BTC',
        feedId: BTC,
        price: 107530.49828641,
        conf: 23.79021325,
        publishTime: 1751042519,
        ts: 1751042519000,
      },
      { symbol: 'USDT', feedId: USDT, price: 1.00031861, conf: 0.00058279, publishTime: 1751042519, ts: 1751042519000 },
      { symbol: 'USDC', feedId: USDC, price: 0.99996894, conf: 0.00062343, publishTime: 1751042519, ts: 1751042519000 },
    ]);
  });

  it.each([
    ['pyth_hermes_v2_latest_20feeds_20250626T193616Z.json', 1.000295, 0.99992717, 1750966578],
    ['pyth_hermes_v2_latest_20feeds_20250627T055442Z.json', 1.00036872, 0.999938, 1751003686],
  ])('maps %s', (file, usdt, usdc, publishTime) => {
    const { update, prices } = mustOk(mapHermesPriceUpdate(fixtureJson(file), options));
    expect(update.feeds).toHaveLength(20);
    expect(prices.find((p) => p.symbol === 'USDT')?.price).toBe(usdt);
    expect(prices.find((p) => p.symbol === 'USDC')?.price).toBe(usdc);
    expect(prices.every((p) => p.publishTime === publishTime)).toBe(true);
  });

  it('maps the documentation example (BTC and an unmapped feed), scaling other exponents exactly', () => {
    const { update, prices } = mustOk(
      mapHermesPriceUpdate(fixtureJson('pyth_hermes_v2_latest_btc_eth_docs.json'), options),
    );
    expect(update.data[0]!.length).toBe(3078);
    expect(update.feeds.map((f) => f.feedId)).toEqual([
      BTC,
      'c96458d393fe9deb7a7d63a0ac41e2898a67a7750dbd166673279e06c868df0a',
    ]);
    expect(prices).toEqual([
      { symbol: 'BTC', feedId: BTC, price: 61409.93501, conf: 32.87868567, publishTime: 1714746101, ts: 1714746101000 },
    ]);
    const other = mustOk(
      mapHermesPriceUpdate(fixtureJson('pyth_hermes_v2_latest_20feeds_20250627T164156Z.json'), {
        feedSymbols: { '765d2ba906dbc32ca17cc11f5310a89e9ee1f6420508c63861f2f8ba4ee34bb2': 'XAU' },
        receivedAt: 0,
      }),
    );
    expect(other.prices[0]!.price).toBe(3274.698);
    expect(other.prices[0]!.conf).toBe(0.547);
  });

  it('accepts parsed=false bodies (binary only)', () => {
    const { update, prices } = mustOk(
      mapHermesPriceUpdate({ binary: { encoding: 'base64', data: ['UE5BVQ=='] } }, options),
    );
    expect(update).toEqual({
      encoding: 'base64',
      data: ['UE5BVQ=='],
      feeds: [],
      receivedAt: options.receivedAt,
      ts: options.receivedAt,
    });
    expect(prices).toEqual([]);
  });

  it.each([
    [{ parsed: [] }, 'binary: '],
    [{ binary: { encoding: 'hex', data: ['zz'] }, parsed: [] }, 'binary.data.0: not valid hex'],
    [{ binary: { encoding: 'hex', data: ['abc'] }, parsed: [] }, 'binary.data.0: not valid hex'],
    [{ binary: { encoding: 'utf8', data: [] } }, 'binary.encoding: '],
  ])('rejects a malformed body with the field in the reason (%#)', (body, reason) => {
    const r = mapHermesPriceUpdate(body, options);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it('rejects a price given as a number, and a non-positive price (methodology §7)', () => {
    const sample = fixtureJson('pyth_hermes_v2_latest_btc_eth_docs.json') as {
      parsed: { price: { price: unknown } }[];
    };
    const asNumber = structuredClone(sample);
    asNumber.parsed[0]!.price.price = 6140993501000;
    const r1 = mapHermesPriceUpdate(asNumber, options);
    expect(r1).toEqual({ ok: false, reason: expect.stringContaining('parsed.0.price.price: ') as string });
    const negative = structuredClone(sample);
    negative.parsed[0]!.price.price = '-5';
    const r2 = mapHermesPriceUpdate(negative, options);
    expect(r2).toEqual({
      ok: false,
      reason: `hermes: feed ${BTC} (BTC): price must be a finite number > 0, got -5e-8`,
    });
  });
});

describe('Hermes SSE stream', () => {
  it('decodes the two documented stream frames', () => {
    const frames = parseSseText(fixtureText('pyth_hermes_v2_stream_btc_docs.sse'));
    expect(frames).toHaveLength(2);
    const records = frames.map((f) => mustOk(parseHermesSseFrame(f, options)));
    expect(records.map((r) => r.prices[0])).toEqual([
      { symbol: 'BTC', feedId: BTC, price: 61632.6, conf: 32.68548079, publishTime: 1714748300, ts: 1714748300000 },
      { symbol: 'BTC', feedId: BTC, price: 61630.88, conf: 33.08129843, publishTime: 1714748301, ts: 1714748301000 },
    ]);
    expect(records[1]!.update.feeds[0]).toMatchObject({ slot: 138886135, prevPublishTime: 1714748300 });
    expect(records.every((r) => r.update.data.length === 1 && r.update.data[0]!.startsWith('504e4155'))).toBe(true);
  });

  it('turns event:error frames into typed stream errors', () => {
    const frames = parseSseText(fixtureText('pyth_hermes_v2_stream_error_frames_RECONSTRUCTED.sse'));
    const results = frames.map((f) => parseHermesSseFrame(f, options));
    expect(results.map((r) => (r.ok ? null : r.error))).toEqual([
      { source: 'hermes', kind: 'stream-error', reason: 'slow-consumer', message: 'Slow consumer: disconnected' },
      {
        source: 'hermes',
        kind: 'stream-error',
        reason: 'connection-timeout',
        message: 'Connection timeout reached (24h)',
      },
      { source: 'hermes', kind: 'stream-error', reason: 'receive-error', message: 'Error receiving update: Lagged(3)' },
    ]);
  });

  it('reports a data frame that is not JSON', () => {
    const r = parseHermesSseFrame({ event: 'message', data: '{"binary":' }, options);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/^hermes: body is not JSON: /);
  });
});

describe('Hermes errors and metadata', () => {
  it('recognises the 404 "Price ids not found" body', () => {
    expect(parseHermesErrorBody(fixtureText('pyth_hermes_error_price_ids_not_found.txt'))).toEqual({
      source: 'hermes',
      kind: 'price-ids-not-found',
      ids: ['ef0d8b6fda2ceba41da39a73436148de22aeb0b51deb47e5f6bdc5caf5bcb3d4'],
      message: 'Price ids not found: 0xef0d8b6fda2ceba41da39a73436148de22aeb0b51deb47e5f6bdc5caf5bcb3d4',
    });
    expect(parseHermesErrorBody('Update data not found')).toMatchObject({ kind: 'update-data-not-found' });
    expect(parseHermesErrorBody('{"binary":{}}')).toBeNull();
  });

  it('parses /v2/price_feeds', () => {
    const r = parseHermesPriceFeeds([{ id: USDC, attributes: { symbol: 'Crypto.USDC/USD', asset_type: 'Crypto' } }]);
    expect(r).toEqual({
      ok: true,
      records: [{ id: USDC, attributes: { symbol: 'Crypto.USDC/USD', asset_type: 'Crypto' } }],
    });
    expect(parseHermesPriceFeeds([{ id: 'nope', attributes: {} }]).ok).toBe(false);
  });
});
