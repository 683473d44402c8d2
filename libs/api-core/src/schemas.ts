/**
 * JSON Schemas of the API: they validate requests, speed up serialization and become the
 * OpenAPI document. Shared pieces are plain objects reused by reference.
 */

/** An object schema with every property required, in the order written (the OpenAPI document's). */
export function objectSchema<P extends Record<string, unknown>>(properties: P, description?: string) {
  return {
    type: 'object' as const,
    ...(description === undefined ? {} : { description }),
    properties,
    required: Object.keys(properties),
  };
}

export const SYMBOL_PATTERN = '^[A-Za-z0-9]{1,16}$';

/**
 * A time parameter. The pattern admits only times every route can serve — years 1970–2999,
 * real months, hours and minutes — so a value that matches it never fails later.
 */
export const timeParam = (what: string) =>
  ({
    type: 'string',
    pattern:
      '^(\\d{1,13}|(19[7-9]\\d|2\\d{3})-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])' +
      'T([01]\\d|2[0-3]):[0-5]\\d(:[0-5]\\d(\\.\\d{1,9})?)?(Z|[+-]([01]\\d|2[0-3]):[0-5]\\d))$',
    description:
      `${what}: an ISO 8601 date-time with zone, years 1970–2999 (2026-01-01T00:00:00Z), or Unix ` +
      `epoch milliseconds (at most 13 digits)`,
  }) as const;

export const errorSchema = objectSchema({
  statusCode: { type: 'integer' },
  error: { type: 'string' },
  message: { type: 'string' },
});

const num = { type: 'number' } as const;
const nullableNum = { type: ['number', 'null'] } as const;
const epochMs = { type: 'integer', description: 'Unix epoch milliseconds' } as const;

export const constituentSchema = objectSchema({
  symbol: { type: 'string' },
  weight: num,
  ray: num,
  apyEff: num,
  pegScore: num,
  liquidityScore: num,
  counterpartyScore: num,
  price: num,
  devBps: num,
  sigmaBps: num,
  marketCapUsd: num,
  depthUsd: num,
  volume24hUsd: num,
});

export const recordSchema = objectSchema(
  {
    ts: epochMs,
    value: { type: 'number', description: 'SYI, percent per year' },
    tbillRate: nullableNum,
    rpl: { type: ['number', 'null'], description: 'SYI minus the T-bill rate, percent' },
    mode: { type: 'string', enum: ['normal', 'high-vol'] },
    eligible: { type: 'integer' },
    constituents: { type: 'array', items: constituentSchema },
    methodologyVersion: { type: 'string' },
    inputsDigest: { type: 'string' },
    prevDigest: { type: ['string', 'null'] },
    digest: { type: 'string' },
  },
  'A `syi.calculated` record (methodology §4)',
);

export const ohlcSchema = objectSchema({
  bucket: epochMs,
  open: num,
  high: num,
  low: num,
  close: num,
  avg: num,
  samples: { type: 'integer' },
});

/** The body of `GET /api/index/history`. */
export const historySchema = objectSchema({
  interval: { type: 'string' },
  from: { type: 'integer', description: 'start of the range served' },
  to: { type: 'integer' },
  complete: {
    type: 'boolean',
    description: 'false when the range requested held more buckets than one answer carries',
  },
  points: { type: 'array', items: ohlcSchema },
});

export const constituentPointSchema = {
  type: 'object',
  properties: { ...constituentSchema.properties, ts: epochMs },
  required: ['ts', ...constituentSchema.required.filter((k) => k !== 'symbol')],
} as const;

export const pegSchema = objectSchema({
  symbol: { type: 'string' },
  ts: epochMs,
  price: nullableNum,
  devBps: nullableNum,
  pegScore: nullableNum,
  sigmaBps: nullableNum,
  sampleCount: { type: 'integer' },
  methodologyVersion: { type: 'string' },
});

export const poolSchema = objectSchema({
  pool: { type: 'string' },
  project: { type: 'string' },
  chain: { type: 'string' },
  symbol: { type: 'string' },
  tvlUsd: num,
  apyBase: nullableNum,
  apyReward: nullableNum,
  apy: nullableNum,
  ts: epochMs,
});

export const tbillSchema = objectSchema({
  series: { type: 'string' },
  date: { type: 'string', format: 'date' },
  rate: num,
  ts: epochMs,
});

export const chainProblemSchema = objectSchema({
  ts: epochMs,
  kind: { type: 'string', enum: ['digest_mismatch', 'broken_link'] },
  expected: { type: ['string', 'null'] },
  actual: { type: ['string', 'null'] },
});
