import SwaggerParser from '@apidevtools/swagger-parser';
import { LatestSyi } from '@stableyield/live-feed';
import { syiRecord } from '@stableyield/live-feed/testing';
import { buildApiApp } from './app';
import { stubApiDeps } from './testing';
import { CachedOnchainIndex, deviationFromLatestBps, type OnchainIndex } from './onchain';

const ROUND: OnchainIndex = {
  address: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
  chainId: 31337,
  decimals: 8,
  roundId: '7',
  answer: '420030000',
  value: 4.2003,
  updatedAt: 1_767_226_020,
  digest: `0x${'ab'.repeat(32)}`,
};

async function setup(onchain?: CachedOnchainIndex) {
  const latest = new LatestSyi();
  const app = await buildApiApp(stubApiDeps(latest, onchain ? { onchain } : {}), {
    publicRoutes: ['/api/index/onchain'],
    rateLimit: null,
    corsOrigins: [],
    trustProxy: false,
  });
  return { app, latest };
}

describe('GET /api/index/onchain', () => {
  it('answers the round read from the chain with its deviation from the latest record', async () => {
    const { app, latest } = await setup(new CachedOnchainIndex(() => Promise.resolve(ROUND), 2_000));
    latest.offer(syiRecord({ value: 4.2 }));
    const res = await app.inject('/api/index/onchain');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ...ROUND, deviationFromLatestBps: 0.7143 });
    expect(res.headers['cache-control']).toBe('public, max-age=2');
    await app.close();
  });

  it(
    'deviation is null before the first record; 503 with Retry-After without a feed, before ' +
      'its first round, or when the chain fails',
    async () => {
      const cases: [CachedOnchainIndex | undefined, RegExp][] = [
        [undefined, /SYI_FEED_ADDRESS/],
        [new CachedOnchainIndex(() => Promise.resolve(undefined), 1_000), /no round yet/],
        [
          new CachedOnchainIndex(() => Promise.reject(new Error('ECONNREFUSED http://secret-rpc/key')), 1_000),
          /did not answer/,
        ],
      ];
      for (const [source, message] of cases) {
        const { app } = await setup(source);
        const res = await app.inject('/api/index/onchain');
        expect(res.statusCode).toBe(503);
        expect(res.headers['retry-after']).toMatch(/^\d+$/);
        expect(res.json<{ message: string }>().message).toMatch(message);
        expect(res.body).not.toContain('secret-rpc');
        await app.close();
      }
      const { app } = await setup(new CachedOnchainIndex(() => Promise.resolve(ROUND), 1_000));
      expect((await app.inject('/api/index/onchain')).json()).toMatchObject({ deviationFromLatestBps: null });
      await app.close();
    },
  );

  it('is in the OpenAPI document, valid, with its 200 and 503 answers', async () => {
    const { app } = await setup();
    const doc = (await app.inject('/api/openapi.json')).json<{
      paths: Record<string, { get: { responses: Record<string, unknown> } }>;
    }>();
    await SwaggerParser.validate(structuredClone(doc) as never);
    const responses = doc.paths['/api/index/onchain']!.get.responses;
    expect(Object.keys(responses)).toEqual(expect.arrayContaining(['200', '503']));
    expect(JSON.stringify(responses['200'])).toContain('deviationFromLatestBps');
    await app.close();
  });
});

describe('CachedOnchainIndex', () => {
  it('reads at most once per cacheMs, shares a read in flight, and does not keep a failure', async () => {
    let t = 0;
    let reads = 0;
    let fail = false;
    const cache = new CachedOnchainIndex(
      () => {
        reads++;
        return fail ? Promise.reject(new Error('down')) : Promise.resolve(ROUND);
      },
      1_000,
      () => t,
    );
    await Promise.all([cache.get(), cache.get(), cache.get()]);
    expect(reads).toBe(1);
    t = 999;
    await cache.get();
    expect(reads).toBe(1);
    t = 1_000;
    fail = true;
    await expect(cache.get()).rejects.toThrow('down');
    fail = false;
    await expect(cache.get()).resolves.toEqual(ROUND);
    expect(reads).toBe(3);
  });
});

describe('deviationFromLatestBps', () => {
  it('is signed, relative to the latest value, in basis points', () => {
    expect(deviationFromLatestBps(3.0003, 3)).toBe(1);
    expect(deviationFromLatestBps(2.99985, 3)).toBe(-0.5);
    expect(deviationFromLatestBps(3, undefined)).toBeNull();
    expect(deviationFromLatestBps(3, 0)).toBeNull();
  });
});
