import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_GRID_INTERVAL_MS } from '@stableyield/config';
import { METHODOLOGY_V1, methodologyVersionOf } from '@stableyield/index-engine';
import type { LatestSyi } from '@stableyield/live-feed';
import { DATABASE_RETRY_AFTER_S, unavailableWhenUnreachable } from './database-unavailable';
import type { Queryable } from './db';
import { FreshAnswers, matchesEtag, type EncodedBody } from './encoded-responses';
import { HttpError, notFound } from './errors';
import { HistoryAnswers } from './history-answers';
import { databaseBuckets, IndexHistoryCache } from './history-cache';
import { independentCheckSchema, NOT_AVAILABLE, type IndependentCheck } from './independent-check';
import { errorResponse } from './openapi';
import * as q from './queries';
import {
  chainProblemSchema,
  constituentPointSchema,
  constituentSchema,
  historySchema,
  pegSchema,
  poolSchema,
  recordSchema,
  SYMBOL_PATTERN,
  objectSchema,
  tbillSchema,
  timeParam,
} from './schemas';
import { timeRange } from './time-range';
import { sha256RecordDigest, verifyChainInSlices, type DigestFunction } from './verify';

export interface RouteDeps {
  db: Queryable;
  latest: LatestSyi;
  now: () => number;
  /** Symbols the API knows besides those of the latest record (the methodology's constituents). */
  knownSymbols: readonly string[];
  digestOf?: DigestFunction;
  /** Most OHLC points one history request may return. */
  maxHistoryPoints?: number;
  /** Most records one verify request may check. */
  maxVerifyRecords?: number;
  /** Which database errors mean "unreachable" (answered 503); without it every database error is a 500. */
  isDatabaseUnreachable?: (err: unknown) => boolean;
  /** The auditor's independent check (AuditorStatusSource); without it: not available. */
  independentCheck?: () => Promise<IndependentCheck>;
  /**
   * How old a database answer may be when served (history's open bucket, constituent history,
   * yields), and the step a default `to` (now) is rounded to: one grid step. 0: read every time.
   */
  freshnessMs?: number;
  /** Closed history buckets held per interval (older ranges are read from the database). */
  maxCachedBuckets?: number;
  /** Bytes of encoded answers held, per route. */
  answerCacheBytes?: number;
  /** processor-syi's grid step (GRID_INTERVAL_MS), told by the methodology route (default: the apps' default) */
  gridIntervalMs?: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Default look-back of a history request per interval. */
const DEFAULT_SPAN: Record<q.Interval, number> = { '1m': 6 * HOUR, '5m': DAY, '1h': 7 * DAY, '1d': 365 * DAY };
/** Pools whose newest record is older than the methodology's pool-APY freshness are left out. */
const YIELD_FRESHNESS_MS = METHODOLOGY_V1.freshnessMs.poolApy;

// Each route's own error answers; 400, 401 and 429 come from the pipeline (openapi.ts, app.ts).
const NO_INDEX_YET = errorResponse(
  'No index value has been published yet (an empty topic after a fresh start); retry after `Retry-After` seconds.',
  {
    'Retry-After': { type: 'integer', description: 'seconds' },
  },
);
const UNKNOWN_SYMBOL = errorResponse('The symbol is neither a configured constituent nor in the latest index record.');
/** Routes that read the database answer 503 while it is unreachable. */
const DATABASE_UNAVAILABLE = errorResponse(
  'The database is unreachable for the moment; retry after `Retry-After` seconds.',
  {
    'Retry-After': { type: 'integer', description: `seconds (${DATABASE_RETRY_AFTER_S})` },
  },
);
const symbolParams = {
  type: 'object',
  required: ['symbol'],
  additionalProperties: false,
  properties: {
    symbol: {
      type: 'string',
      pattern: SYMBOL_PATTERN,
      description: 'a constituent, e.g. USDC; unknown ones are 404',
      examples: ['USDC'],
    },
  },
} as const;
const noQuery = { type: 'object', properties: {}, additionalProperties: false } as const;

const noIndexYet = () => new HttpError(503, 'no index value has been published yet', { 'retry-after': '1' });

/** Closed history ranges never change: browsers and CDNs may keep them a day. */
const CACHE_FINAL = 'public, max-age=86400';
/** A range holding the open bucket: a cache may keep it but must ask again (If-None-Match) each time. */
const CACHE_OPEN = 'public, no-cache';
const ETAG_HEADER = {
  type: 'string',
  description: 'strong validator of the body: send it as If-None-Match to get 304 while the answer is unchanged',
} as const;
const notModified = (what: string) =>
  ({
    description: `Not Modified: ${what} still matches If-None-Match`,
    type: 'null',
    headers: { ETag: ETAG_HEADER },
  }) as const;

/** The responses of an answer about a symbol sent with its ETag: the body, 304, unknown symbol, no database. */
const cachedAnswerOfSymbol = <Body extends object>(body: Body) =>
  ({
    200: { ...body, headers: { ETag: ETAG_HEADER } },
    304: notModified('the answer'),
    404: UNKNOWN_SYMBOL,
    503: DATABASE_UNAVAILABLE,
  }) as const;

/** An encoded answer, or 304 when the request's If-None-Match names it. */
function sendEncoded(request: FastifyRequest, reply: FastifyReply, answer: EncodedBody): FastifyReply {
  reply.header('etag', answer.etag);
  if (matchesEtag(request.headers['if-none-match'], answer.etag)) return reply.code(304).send();
  return reply.type('application/json; charset=utf-8').send(answer.body);
}

/** The REST routes under /api. */
export function registerApiRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { latest, now } = deps;
  const db = deps.isDatabaseUnreachable ? unavailableWhenUnreachable(deps.db, deps.isDatabaseUnreachable) : deps.db;
  const digestOf = deps.digestOf ?? sha256RecordDigest;
  const maxPoints = deps.maxHistoryPoints ?? 10_000;
  // 20 000 records: about 0.3 s of hashing, done in slices (verifyChainInSlices) between other requests.
  const maxVerify = deps.maxVerifyRecords ?? 20_000;
  const independentCheck = deps.independentCheck ?? (() => Promise.resolve(NOT_AVAILABLE));
  const freshnessMs = deps.freshnessMs ?? 1_000;
  const answerCacheBytes = deps.answerCacheBytes ?? 32 * 1024 * 1024;
  const history = new HistoryAnswers(
    new IndexHistoryCache(databaseBuckets(db), {
      maxTailAgeMs: freshnessMs,
      maxClosedBuckets: deps.maxCachedBuckets ?? 50_000,
      now,
    }),
    answerCacheBytes,
  );
  const freshAnswers = () => new FreshAnswers({ maxAgeMs: freshnessMs, maxBytes: answerCacheBytes, now });
  const constituentAnswers = freshAnswers();
  const yieldAnswers = freshAnswers();
  // A default `to` (now) to the freshness step: every request of one step asks for the same range.
  const step = (t: number, round: (x: number) => number) =>
    freshnessMs > 0 ? round(t / freshnessMs) * freshnessMs : t;

  const isKnownSymbol = (symbol: string) =>
    deps.knownSymbols.includes(symbol) || (latest.get()?.record.constituents.some((c) => c.symbol === symbol) ?? false);
  const requireKnown = (symbol: string) => {
    if (!isKnownSymbol(symbol)) throw notFound(`unknown symbol "${symbol}"`);
  };

  app.get(
    '/api/index/latest',
    {
      schema: {
        tags: ['index'],
        summary: 'The latest index record (from the live stream, not the database)',
        description: 'Carries an ETag; send If-None-Match to get 304 when nothing changed.',
        querystring: noQuery,
        response: {
          200: recordSchema,
          304: { description: 'Not Modified: the record matches If-None-Match', type: 'null' },
          503: NO_INDEX_YET,
        },
      },
    },
    async (request, reply) => {
      const snapshot = latest.get();
      if (!snapshot) throw noIndexYet();
      reply.header('etag', snapshot.etag).header('cache-control', 'public, max-age=1');
      if (request.headers['if-none-match'] === snapshot.etag) return reply.code(304).send();
      // Encoded once per record, not per request.
      return reply.type('application/json; charset=utf-8').send(snapshot.body);
    },
  );

  app.get<{ Querystring: { from?: string; to?: string; interval: q.Interval } }>(
    '/api/index/history',
    {
      schema: {
        tags: ['index'],
        summary: 'OHLC of the index per bucket, from the aggregates',
        description:
          `Buckets whose start lies in [from, to), oldest first. One answer holds at most ` +
          `${maxPoints} buckets: a longer range is cut to its newest ${maxPoints} buckets, ` +
          `\`complete\` is false and \`from\` says where the answer starts — ask again with \`to\` ` +
          `set to it for the page before. \`from\` at or after \`to\` is an empty range. A range ` +
          `whose buckets are all closed (it ends at or before the start of the newest record's ` +
          `bucket) never changes and is sent with \`Cache-Control: ${CACHE_FINAL}\`; one holding the ` +
          `open bucket is at most ${freshnessMs} ms behind the database and sent with ` +
          `\`${CACHE_OPEN}\`. Send the \`ETag\` as If-None-Match to get 304 while nothing changed.`,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            from: timeParam('start (inclusive); default: 6 h (1m), 1 d (5m), 7 d (1h) or 365 d (1d) before `to`'),
            to: timeParam(`end (exclusive); default: now, rounded up to ${freshnessMs} ms`),
            interval: { type: 'string', enum: [...q.INTERVALS], default: '1m', description: 'bucket width' },
          },
        },
        response: {
          200: {
            ...historySchema,
            headers: {
              ETag: ETAG_HEADER,
              'Cache-Control': {
                type: 'string',
                description: `\`${CACHE_FINAL}\` for a closed range, \`${CACHE_OPEN}\` for one holding the open bucket`,
              },
            },
          },
          304: notModified('the range'),
          503: DATABASE_UNAVAILABLE,
        },
      },
    },
    async (request, reply) => {
      const { interval } = request.query;
      const range = timeRange(
        request.query,
        step(now(), Math.ceil),
        DEFAULT_SPAN[interval],
        maxPoints * q.INTERVAL_MS[interval],
      );
      const answer = await history.answer(interval, range, (payload) => reply.serialize(payload) as string);
      reply.header('cache-control', answer.final ? CACHE_FINAL : CACHE_OPEN);
      return sendEncoded(request, reply, answer);
    },
  );

  app.get(
    '/api/index/constituents',
    {
      schema: {
        tags: ['index'],
        summary: 'Constituents of the latest index record, with weights and RAY',
        querystring: noQuery,
        response: {
          200: objectSchema({
            ts: { type: 'integer' },
            methodologyVersion: { type: 'string' },
            constituents: { type: 'array', items: constituentSchema },
          }),
          503: NO_INDEX_YET,
        },
      },
    },
    () => {
      const snapshot = latest.get();
      if (!snapshot) throw noIndexYet();
      const { ts, methodologyVersion, constituents } = snapshot.record;
      return { ts, methodologyVersion, constituents };
    },
  );

  app.get<{ Params: { symbol: string }; Querystring: { from?: string; to?: string; limit: number } }>(
    '/api/index/constituents/:symbol/history',
    {
      schema: {
        tags: ['index'],
        summary: 'One constituent in past index records, newest first',
        description:
          `Records with from ≤ ts ≤ to, newest first, at most \`limit\`. A range longer than 366 ` +
          `days is cut to its newest 366 days (\`from\` in the answer says so); \`from\` after ` +
          `\`to\` is an empty range. The answer is at most ${freshnessMs} ms behind the database; ` +
          `send the \`ETag\` as If-None-Match to get 304 while it is unchanged.`,
        params: symbolParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            from: timeParam('start (inclusive); default: 24 h before `to`'),
            to: timeParam(`end (inclusive); default: now, rounded down to ${freshnessMs} ms`),
            limit: {
              type: 'integer',
              minimum: 1,
              maximum: 10_000,
              default: 1_000,
              description: 'most points in the answer',
            },
          },
        },
        response: cachedAnswerOfSymbol(
          objectSchema({
            symbol: { type: 'string' },
            from: { type: 'integer', description: 'start of the range served' },
            to: { type: 'integer' },
            points: { type: 'array', items: constituentPointSchema },
          }),
        ),
      },
    },
    async (request, reply) => {
      const { symbol } = request.params;
      const { limit } = request.query;
      requireKnown(symbol);
      const rangeAt = (t: number) => timeRange(request.query, t, DAY, 366 * DAY);
      const answerOf = ({ from, to }: { from: number; to: number }) =>
        [
          `${symbol} ${from} ${to} ${limit}`,
          async () =>
            reply.serialize({
              symbol,
              from,
              to,
              points: await q.constituentHistory(db, symbol, from, to, limit),
            }) as string,
        ] as const;
      const t = now();
      const stepNow = step(t, Math.floor);
      const answer = await constituentAnswers.answer(...answerOf(rangeAt(stepNow)));
      // A range ending now moves on every step: from half the step on, the next one is read ahead.
      if (request.query.to === undefined && freshnessMs > 0 && t - stepNow >= freshnessMs / 2)
        constituentAnswers.prefetch(...answerOf(rangeAt(stepNow + freshnessMs)));
      return sendEncoded(request, reply, answer);
    },
  );

  const methodology = {
    version: methodologyVersionOf(METHODOLOGY_V1),
    name: 'StableYield Index methodology v1',
    document: 'methodology/SYI-v1.md',
    gridIntervalMs: deps.gridIntervalMs ?? DEFAULT_GRID_INTERVAL_MS,
    parameters: METHODOLOGY_V1,
  };
  app.get(
    '/api/index/methodology',
    {
      schema: {
        tags: ['index'],
        summary: 'Methodology version and parameters',
        querystring: noQuery,
        response: {
          200: objectSchema({
            version: { type: 'string' },
            name: { type: 'string' },
            document: { type: 'string' },
            gridIntervalMs: {
              type: 'integer',
              description: 'the grid step I (ms): the live index is evaluated at every multiple of it (§5)',
            },
            parameters: {
              type: 'object',
              additionalProperties: true,
              description: 'every number of the methodology',
            },
            latestRecordVersion: { type: ['string', 'null'], description: 'methodologyVersion of the latest record' },
          }),
        },
      },
    },
    () => ({ ...methodology, latestRecordVersion: latest.get()?.record.methodologyVersion ?? null }),
  );

  app.get<{ Params: { symbol: string } }>(
    '/api/peg/:symbol',
    {
      schema: {
        tags: ['market'],
        summary: 'The newest peg measure of a stablecoin',
        params: symbolParams,
        querystring: noQuery,
        response: {
          200: pegSchema,
          404: errorResponse(
            'The symbol is unknown (neither configured nor in the latest record), or no peg measure of ' +
              'it is stored yet.',
          ),
          503: DATABASE_UNAVAILABLE,
        },
      },
    },
    async (request) => {
      const { symbol } = request.params;
      requireKnown(symbol);
      const peg = await q.latestPeg(db, symbol);
      if (!peg) throw notFound(`no peg measure stored for "${symbol}" yet`);
      return peg;
    },
  );

  app.get<{ Querystring: { symbol?: string } }>(
    '/api/yields',
    {
      schema: {
        tags: ['market'],
        summary: 'Newest APY of every pool seen in the last 6 hours, largest TVL first',
        description:
          `At most ${freshnessMs} ms behind the database; send the \`ETag\` as If-None-Match to get ` +
          `304 while the answer is unchanged.`,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            symbol: { type: 'string', pattern: SYMBOL_PATTERN, description: 'only pools of this stablecoin' },
          },
        },
        response: cachedAnswerOfSymbol(
          objectSchema({ symbol: { type: ['string', 'null'] }, pools: { type: 'array', items: poolSchema } }),
        ),
      },
    },
    async (request, reply) => {
      const { symbol } = request.query;
      if (symbol !== undefined) requireKnown(symbol);
      const answer = await yieldAnswers.answer(
        symbol ?? '',
        async () =>
          reply.serialize({
            symbol: symbol ?? null,
            pools: await q.latestYields(db, now() - YIELD_FRESHNESS_MS, symbol),
          }) as string,
      );
      return sendEncoded(request, reply, answer);
    },
  );

  app.get<{ Querystring: { limit: number } }>(
    '/api/tbill',
    {
      schema: {
        tags: ['market'],
        summary: 'The 3-month T-bill rate: the newest observation and the ones before it',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 1_000, default: 30 } },
        },
        response: {
          200: objectSchema({ latest: tbillSchema, history: { type: 'array', items: tbillSchema } }),
          404: errorResponse('No T-bill observation is stored yet.'),
          503: DATABASE_UNAVAILABLE,
        },
      },
    },
    async (request) => {
      const history = await q.tbillHistory(db, request.query.limit);
      const [newest] = history;
      if (!newest) throw notFound('no T-bill observation stored yet');
      return { latest: newest, history };
    },
  );

  app.get<{ Querystring: { from?: string; to?: string } }>(
    '/api/index/verify',
    {
      schema: {
        tags: ['index'],
        summary: 'Checks the digest chain of the stored records over a range',
        description:
          `Recomputes every digest (default: sha256 of the canonical JSON of the record without ` +
          `\`digest\`) and checks that each \`prevDigest\` names the digest of the record before it, ` +
          `including the record just before the range. One answer checks at most 31 days and ` +
          `${maxVerify} records from \`from\` on: past either, \`complete\` is false and \`to\` is ` +
          `where the check stopped — continue from just after it. \`from\` after \`to\` checks ` +
          `nothing.`,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            from: timeParam('start (inclusive); default: 1 h before `to`'),
            to: timeParam('end (inclusive); default: now'),
          },
        },
        response: {
          200: objectSchema({
            from: { type: 'integer' },
            to: { type: 'integer', description: 'end of the range checked' },
            algorithm: { type: 'string' },
            checked: { type: 'integer' },
            valid: { type: 'boolean' },
            complete: {
              type: 'boolean',
              description: 'false when the range requested was longer than one check covers',
            },
            firstTs: { type: ['integer', 'null'] },
            lastTs: { type: ['integer', 'null'] },
            headDigest: { type: ['string', 'null'] },
            problemCount: { type: 'integer' },
            problems: { type: 'array', items: chainProblemSchema },
            independent: independentCheckSchema,
          }),
          503: DATABASE_UNAVAILABLE,
        },
      },
    },
    async (request) => {
      const range = timeRange(request.query, now(), HOUR, 31 * DAY, 'oldest');
      const fetched = await q.indexRecords(db, range.from, range.to, maxVerify + 1);
      // More records than one check covers: check the oldest ones and say where the check stopped.
      const records = fetched.slice(0, maxVerify);
      const cut = fetched.length > maxVerify;
      const to = cut ? records[records.length - 1]!.ts : range.to;
      const previous = records[0] ? await q.indexRecordBefore(db, records[0].ts) : null;
      const algorithm = digestOf === sha256RecordDigest ? 'sha256(canonicalJSON(record without digest))' : 'custom';
      const chain = await verifyChainInSlices(records, previous, digestOf);
      return {
        from: range.from,
        to,
        algorithm,
        complete: !range.clipped && !cut,
        ...chain,
        independent: await independentCheck(),
      };
    },
  );

  app.get(
    '/api/index/audit',
    {
      schema: {
        tags: ['index'],
        summary: 'How far the index has been independently verified',
        description:
          'The auditor recomputes every published record from its inputs by the plain replay of the ' +
          'methodology and compares value, weights, inputsDigest and digest. This says up to which T ' +
          'it has checked, and whether any record did not recompute. The answer is at most a few ' +
          'seconds old.',
        querystring: noQuery,
        response: { 200: independentCheckSchema },
      },
    },
    () => independentCheck(),
  );
}
