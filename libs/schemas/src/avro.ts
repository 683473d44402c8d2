/**
 * Avro schemas of every topic's values. Input topics use the field names of the
 * methodology (SYI-v1 §1). Schemas evolve BACKWARD-compatibly: new fields get defaults.
 */
export type AvroSchema = Record<string, unknown>;

const NS = 'io.stableyield';
const nullable = (type: unknown) => ['null', type];
const optionalDouble = (name: string, doc: string) => ({ name, type: nullable('double'), default: null, doc });
const ts = { name: 'ts', type: 'long', doc: 'Event time, milliseconds since the Unix epoch (UTC)' };
const symbol = { name: 'symbol', type: 'string' };
const doubles = (...names: string[]) => names.map((name) => ({ name, type: 'double' }));
/** A record of the namespace; no doc when `doc` is undefined. */
const record = (name: string, doc: string | undefined, fields: unknown[]): AvroSchema => ({
  type: 'record',
  name,
  namespace: NS,
  ...(doc === undefined ? {} : { doc }),
  fields,
});

export const pythPriceSchema = record(
  'PythPrice',
  'One Pyth feed price, scaled by its exponent (venue "pyth" of its symbol)',
  [
    symbol,
    { name: 'feedId', type: 'string', doc: '32-byte feed id, hex without 0x' },
    { name: 'price', type: 'double', doc: 'USD, price × 10^expo' },
    { name: 'conf', type: 'double', doc: 'USD, conf × 10^expo' },
    { name: 'publishTime', type: 'long', doc: 'Seconds since the Unix epoch' },
    ts,
  ],
);

const pythUpdateFeed = record(
  'PythUpdateFeed',
  "Pyth's raw integers kept as decimal strings: the keeper compares them exactly",
  [
    { name: 'feedId', type: 'string' },
    { name: 'symbol', type: nullable('string'), default: null, doc: 'null when the id is not in the configured map' },
    { name: 'price', type: 'string' },
    { name: 'conf', type: 'string' },
    { name: 'expo', type: 'int' },
    { name: 'publishTime', type: 'long', doc: 'Seconds since the Unix epoch' },
    { name: 'emaPrice', type: 'string' },
    { name: 'emaConf', type: 'string' },
    { name: 'slot', type: nullable('long'), default: null },
    { name: 'prevPublishTime', type: nullable('long'), default: null },
  ],
);

export const pythUpdateSchema = record(
  'PythUpdate',
  'One Hermes price update event, whole: the binary payloads for the on-chain contract and the parsed feeds',
  [
    { name: 'encoding', type: 'string', doc: 'Encoding of data: hex or base64' },
    { name: 'data', type: { type: 'array', items: 'string' }, doc: 'Update payloads exactly as Hermes sent them' },
    { name: 'feeds', type: { type: 'array', items: pythUpdateFeed } },
    { name: 'receivedAt', type: 'long', doc: 'When the ingester received the event, ms since epoch' },
    { name: 'ts', type: 'long', doc: 'Largest publish time of the feeds, ms' },
  ],
);

export const ccPriceSchema = record('VenuePrice', 'A stablecoin price at one venue (cc.prices)', [
  symbol,
  { name: 'venue', type: 'string' },
  { name: 'price', type: 'double', doc: 'USD' },
  optionalDouble('volume24hUsd', '24-hour traded volume in USD'),
  ts,
]);

const levels = { type: 'array', items: { type: 'array', items: 'double' } };
export const ccOrderbookSchema = record('OrderBook', 'An order book snapshot at one venue; levels are [price, qty]', [
  symbol,
  { name: 'venue', type: 'string' },
  { name: 'bids', type: levels },
  { name: 'asks', type: levels },
  ts,
]);

export const dlApySchema = record('PoolApy', 'A DefiLlama yield pool (percent per year)', [
  { name: 'pool', type: 'string' },
  { name: 'project', type: 'string' },
  { name: 'chain', type: 'string' },
  symbol,
  { name: 'tvlUsd', type: 'double' },
  optionalDouble('apyBase', 'Base APY in percent; null when unknown'),
  optionalDouble('apyReward', 'Reward APY in percent'),
  optionalDouble('apy', 'Total APY in percent'),
  ts,
]);

export const exMktcapSchema = record('MarketCap', undefined, [symbol, { name: 'marketCapUsd', type: 'double' }, ts]);

export const tradTbillSchema = record('TbillRate', undefined, [
  { name: 'series', type: 'string' },
  { name: 'rate', type: 'double', doc: 'Percent per year' },
  { name: 'date', type: 'string', doc: 'Observation date, YYYY-MM-DD' },
  ts,
]);

const version = { name: 'methodologyVersion', type: 'string' };

export const syiPegSchema = record('PegMeasure', 'Peg measures of one constituent at a grid point', [
  symbol,
  ts,
  optionalDouble('price', 'Median fresh venue price P_s(T)'),
  optionalDouble('devBps', 'Current deviation from the peg, bps'),
  optionalDouble('pegScore', 'S_peg'),
  optionalDouble('sigmaBps', 'Population standard deviation of the peg samples, bps'),
  { name: 'sampleCount', type: 'int' },
  version,
]);

export const syiLiquiditySchema = record('LiquidityMeasure', undefined, [
  symbol,
  ts,
  { name: 'depthUsd', type: 'double' },
  { name: 'volume24hUsd', type: 'double' },
  optionalDouble('marketCapUsd', 'Fresh market cap, null when none'),
  optionalDouble('liquidityScore', 'S_liq, null without a market cap'),
  version,
]);

export const rayCalculatedSchema = record(
  'RayMeasure',
  'Risk-adjusted yield of one constituent at a grid point, for both modes (κ depends on all constituents)',
  [
    symbol,
    ts,
    optionalDouble('apyEff', 'Effective base APY, percent'),
    optionalDouble('pegScore', 'S_peg'),
    optionalDouble('liquidityScore', 'S_liq'),
    { name: 'counterpartyScore', type: 'double' },
    optionalDouble('rayNormal', 'RAY with κ = 2'),
    optionalDouble('rayHighVol', 'RAY with κ = 4'),
    version,
  ],
);

export const syiConstituentSchema = record('SyiConstituent', undefined, [
  symbol,
  ...doubles(
    'weight',
    'ray',
    'apyEff',
    'pegScore',
    'liquidityScore',
    'counterpartyScore',
    'price',
    'devBps',
    'sigmaBps',
    'marketCapUsd',
    'depthUsd',
    'volume24hUsd',
  ),
]);

export const syiCalculatedSchema = record(
  'SyiRecord',
  'The StableYield Index at one grid point (methodology §4) with its digest chain',
  [
    ts,
    { name: 'value', type: 'double', doc: 'SYI, percent per year' },
    optionalDouble('tbillRate', '3-month T-bill rate, percent; null when not fresh'),
    optionalDouble('rpl', 'SYI − T-bill; null without a rate'),
    { name: 'mode', type: 'string', doc: '"normal" or "high-vol" (a string: Avro enum symbols cannot hold "-")' },
    { name: 'eligible', type: 'int' },
    { name: 'constituents', type: { type: 'array', items: syiConstituentSchema } },
    version,
    { name: 'inputsDigest', type: 'string', doc: 'SHA-256 (hex) of the canonical encoding of every input value used' },
    {
      name: 'prevDigest',
      type: nullable('string'),
      default: null,
      doc: 'digest of the previous record; null for the first',
    },
    { name: 'digest', type: 'string', doc: 'SHA-256 (hex) of this record with prevDigest: the link of the chain' },
  ],
);
