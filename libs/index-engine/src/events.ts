// Input events of methodology v1 (§1) and their validation (§7 "Invalid input").
// Only the fields v1 uses are kept; the Kafka processors reuse `validateEvent` to send
// rejected records to a DLQ with the same reason the replay command prints.

export const INPUT_TOPICS = ['cc.prices', 'pyth.prices', 'cc.orderbook', 'dl.apy', 'ex.mktcap', 'trad.tbill'] as const;
export type InputTopic = (typeof INPUT_TOPICS)[number];

/** The venue name under which `pyth.prices` records are stored (§7). */
export const PYTH_VENUE = 'pyth';

export type BookLevel = readonly [price: number, qty: number];

export interface VenuePriceEvent {
  readonly topic: 'cc.prices';
  readonly ts: number;
  readonly symbol: string;
  readonly venue: string;
  readonly price: number;
  /** undefined when the record has no volume (counts 0) */
  readonly volume24hUsd: number | undefined;
}

export interface PythPriceEvent {
  readonly topic: 'pyth.prices';
  readonly ts: number;
  readonly symbol: string;
  readonly price: number;
}

export interface OrderBookEvent {
  readonly topic: 'cc.orderbook';
  readonly ts: number;
  readonly symbol: string;
  readonly venue: string;
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
}

export interface PoolApyEvent {
  readonly topic: 'dl.apy';
  readonly ts: number;
  readonly pool: string;
  readonly symbol: string;
  readonly tvlUsd: number;
  /** null when the source has no base APY */
  readonly apyBase: number | null;
}

export interface MarketCapEvent {
  readonly topic: 'ex.mktcap';
  readonly ts: number;
  readonly symbol: string;
  readonly marketCapUsd: number;
}

export interface TbillEvent {
  readonly topic: 'trad.tbill';
  readonly ts: number;
  readonly rate: number;
}

export type IndexEvent = VenuePriceEvent | PythPriceEvent | OrderBookEvent | PoolApyEvent | MarketCapEvent | TbillEvent;

export type ValidationResult =
  { readonly ok: true; readonly event: IndexEvent } | { readonly ok: false; readonly error: string };

class InvalidEvent extends Error {}

type Fields = Record<string, unknown>;

function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `a string`;
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function fail(topic: string, field: string, requirement: string, value: unknown): never {
  throw new InvalidEvent(`${topic}.${field} must be ${requirement} (got ${describe(value)})`);
}

function identity(v: Fields, topic: string, field: string): string {
  const value = v[field];
  if (typeof value !== 'string' || value === '') fail(topic, field, 'a non-empty string', value);
  return value;
}

function finite(v: Fields, topic: string, field: string): number {
  const value = v[field];
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(topic, field, 'a finite number', value);
  return value;
}

function positive(v: Fields, topic: string, field: string): number {
  const value = v[field];
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    fail(topic, field, 'a finite number > 0', value);
  return value;
}

function nonNegative(v: Fields, topic: string, field: string): number {
  const value = v[field];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    fail(topic, field, 'a finite number ≥ 0', value);
  return value;
}

function levels(v: Fields, topic: string, field: string): BookLevel[] {
  const value = v[field];
  if (!Array.isArray(value)) fail(topic, field, 'an array of [price, qty]', value);
  const out: BookLevel[] = new Array<BookLevel>(value.length);
  for (let i = 0; i < value.length; i++) {
    const level: unknown = value[i];
    const where = `${field}[${i}]`;
    if (!Array.isArray(level) || level.length !== 2) fail(topic, where, 'a [price, qty] pair', level);
    const [price, qty] = level as [unknown, unknown];
    if (typeof price !== 'number' || !Number.isFinite(price) || price <= 0)
      fail(topic, `${where}.price`, 'a finite number > 0', price);
    if (typeof qty !== 'number' || !Number.isFinite(qty) || qty < 0)
      fail(topic, `${where}.qty`, 'a finite number ≥ 0', qty);
    out[i] = [price, qty];
  }
  return out;
}

function parseValue(topic: InputTopic, v: Fields): IndexEvent {
  const ts = finite(v, topic, 'ts');
  switch (topic) {
    case 'cc.prices': {
      const symbol = identity(v, topic, 'symbol');
      const venue = identity(v, topic, 'venue');
      const price = positive(v, topic, 'price');
      const volume =
        v['volume24hUsd'] === undefined || v['volume24hUsd'] === null
          ? undefined
          : nonNegative(v, topic, 'volume24hUsd');
      return { topic, ts, symbol, venue, price, volume24hUsd: volume };
    }
    case 'pyth.prices':
      return { topic, ts, symbol: identity(v, topic, 'symbol'), price: positive(v, topic, 'price') };
    case 'cc.orderbook':
      return {
        topic,
        ts,
        symbol: identity(v, topic, 'symbol'),
        venue: identity(v, topic, 'venue'),
        bids: levels(v, topic, 'bids'),
        asks: levels(v, topic, 'asks'),
      };
    case 'dl.apy': {
      const pool = identity(v, topic, 'pool');
      const symbol = identity(v, topic, 'symbol');
      const tvlUsd = nonNegative(v, topic, 'tvlUsd');
      const raw = v['apyBase'];
      if (raw !== null && (typeof raw !== 'number' || !Number.isFinite(raw)))
        fail(topic, 'apyBase', 'null or a finite number', raw);
      return { topic, ts, pool, symbol, tvlUsd, apyBase: raw };
    }
    case 'ex.mktcap':
      return { topic, ts, symbol: identity(v, topic, 'symbol'), marketCapUsd: nonNegative(v, topic, 'marketCapUsd') };
    case 'trad.tbill':
      return { topic, ts, rate: finite(v, topic, 'rate') };
  }
}

const TOPICS: ReadonlySet<string> = new Set(INPUT_TOPICS);

/** Validates one `{"topic": …, "value": {…}}` envelope (already JSON-parsed). */
export function validateEvent(envelope: unknown): ValidationResult {
  try {
    if (!isRecord(envelope))
      return { ok: false, error: 'an event must be a JSON object ' + '{"topic": …, "value": {…}}' };
    const topic = envelope['topic'];
    if (typeof topic !== 'string') return { ok: false, error: `topic must be a string (got ${describe(topic)})` };
    if (!TOPICS.has(topic)) return { ok: false, error: `unknown topic ${JSON.stringify(topic)}` };
    const value = envelope['value'];
    if (!isRecord(value)) return { ok: false, error: `${topic}: value must be a JSON object (got ${describe(value)})` };
    return { ok: true, event: parseValue(topic as InputTopic, value) };
  } catch (err) {
    if (err instanceof InvalidEvent) return { ok: false, error: err.message };
    throw err;
  }
}

/** Parses and validates one line of a JSON-lines event file. */
export function parseEventLine(line: string): ValidationResult {
  let envelope: unknown;
  try {
    envelope = JSON.parse(line);
  } catch (err) {
    return { ok: false, error: `malformed JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  return validateEvent(envelope);
}
