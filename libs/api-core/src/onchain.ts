// GET /api/index/onchain (docs/api.md): the SYI feed's latest round, read from the chain (cached
// for `cacheMs`, one read in flight at a time), beside how far it is from the latest index record.
import type { FastifyInstance } from 'fastify';
import type { LatestSyi } from '@stableyield/live-feed';
import { HttpError } from './errors';
import { errorResponse } from './openapi';

/** The feed's latest round as the API serves it. */
export interface OnchainIndex {
  address: string;
  chainId: number;
  decimals: number;
  /** uint80, as a decimal string. */
  roundId: string;
  /** int256 SYI percent × 10^decimals, as a decimal string. */
  answer: string;
  /** answer / 10^decimals: the SYI in percent. */
  value: number;
  /** The index time T of the round, unix seconds. */
  updatedAt: number;
  /** The record's digest (bytes32, 0x hex). */
  digest: string;
}

/** Reads the chain; undefined while the feed has no round. */
export type OnchainIndexReader = () => Promise<OnchainIndex | undefined>;

/** A reader's answer kept for `cacheMs`; concurrent requests share one read; failures are not kept. */
export class CachedOnchainIndex {
  private kept: { atMs: number; value: OnchainIndex | undefined } | undefined;
  private inFlight: Promise<OnchainIndex | undefined> | undefined;

  constructor(
    private readonly read: OnchainIndexReader,
    readonly cacheMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<OnchainIndex | undefined> {
    if (this.kept && this.now() - this.kept.atMs < this.cacheMs) return Promise.resolve(this.kept.value);
    this.inFlight ??= this.read()
      .then((value) => {
        this.kept = { atMs: this.now(), value };
        return value;
      })
      .finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }
}

/** (on-chain − latest) / |latest| in basis points, 4 decimals; null without a latest record or at 0. */
export function deviationFromLatestBps(onchainValue: number, latestValue: number | undefined): number | null {
  if (latestValue === undefined || latestValue === 0) return null;
  return Math.round(((onchainValue - latestValue) / Math.abs(latestValue)) * 10_000 * 10_000) / 10_000;
}

export const onchainIndexSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'address',
    'chainId',
    'decimals',
    'roundId',
    'answer',
    'value',
    'updatedAt',
    'digest',
    'deviationFromLatestBps',
  ],
  properties: {
    address: {
      type: 'string',
      pattern: '^0x[0-9a-fA-F]{40}$',
      description: 'the SYI feed (Chainlink AggregatorV3Interface)',
    },
    chainId: { type: 'integer' },
    decimals: { type: 'integer', description: '8: answer = SYI percent × 10^8' },
    roundId: { type: 'string', pattern: '^[0-9]+$', description: 'latestRoundData().roundId (uint80, decimal)' },
    answer: { type: 'string', pattern: '^-?[0-9]+$', description: 'latestRoundData().answer (int256, decimal)' },
    value: { type: 'number', description: 'answer / 10^decimals: the SYI in percent' },
    updatedAt: {
      type: 'integer',
      description: 'latestRoundData().updatedAt: the index time T of the round, unix seconds',
    },
    digest: {
      type: 'string',
      pattern: '^0x[0-9a-f]{64}$',
      description: "the published record's digest (the chain of syi.calculated digests)",
    },
    deviationFromLatestBps: {
      type: 'number',
      nullable: true,
      description:
        '(value − latest index value) / |latest| in basis points; null before the first record. ' +
        'The keeper publishes at SYI_DEVIATION_BPS (default 1).',
    },
  },
} as const;

const ONCHAIN_UNAVAILABLE = errorResponse(
  'The on-chain SYI cannot be read: no feed is configured (SYI_FEED_ADDRESS), it has no ' +
    'round yet, or the chain does not answer; retry after `Retry-After` seconds.',
  { 'Retry-After': { type: 'integer', description: 'seconds' } },
);

export interface OnchainRouteDeps {
  latest: LatestSyi;
  /** Absent: no feed configured (the route answers 503). */
  onchain?: CachedOnchainIndex;
}

export function registerOnchainRoute(app: FastifyInstance, deps: OnchainRouteDeps): void {
  const maxAgeS = Math.max(1, Math.round((deps.onchain?.cacheMs ?? 1000) / 1000));
  app.get(
    '/api/index/onchain',
    {
      schema: {
        tags: ['index'],
        summary: 'The SYI as published on-chain (Chainlink-compatible feed)',
        description:
          `latestRoundData() of the SYI feed, read from the chain at most every ` +
          `${deps.onchain?.cacheMs ?? 0} ms, and its deviation from the latest index record.`,
        querystring: { type: 'object', properties: {}, additionalProperties: false },
        response: { 200: onchainIndexSchema, 503: ONCHAIN_UNAVAILABLE },
      },
    },
    async (_request, reply) => {
      if (!deps.onchain)
        throw new HttpError(503, 'no SYI feed is configured (SYI_FEED_ADDRESS)', { 'retry-after': '60' });
      let round: OnchainIndex | undefined;
      try {
        round = await deps.onchain.get();
      } catch (err) {
        reply.log.warn({ err }, 'onchain_read_failed');
        throw new HttpError(503, 'the chain did not answer; retry later', { 'retry-after': '1' });
      }
      if (!round) throw new HttpError(503, 'the SYI feed has no round yet', { 'retry-after': '10' });
      const latest = deps.latest.get()?.record.value;
      reply.header('cache-control', `public, max-age=${maxAgeS}`);
      return { ...round, deviationFromLatestBps: deviationFromLatestBps(round.value, latest) };
    },
  );
}
