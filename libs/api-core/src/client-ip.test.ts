// The client IP behind an ingress, as the per-IP rate limit sees it.
import type { FastifyInstance } from 'fastify';
import { LatestSyi } from '@stableyield/live-feed';
import { syiRecord } from '@stableyield/live-feed/testing';
import { buildApiApp } from './app';
import { stubApiDeps } from './testing';
import { parseTrustProxy, type TrustProxy } from './trust-proxy';

const INGRESS_POD = '10.42.0.15';
const PER_IP = 3;

async function apiBehindIngress(trustProxy: TrustProxy): Promise<FastifyInstance> {
  const latest = new LatestSyi();
  latest.offer(syiRecord());
  return buildApiApp(stubApiDeps(latest), {
    publicRoutes: ['/api/index/latest'],
    rateLimit: { perKey: 100, perIp: PER_IP, windowMs: 60_000 },
    corsOrigins: [],
    trustProxy,
  });
}

/** Status codes of requests that reach the api from the ingress pod with these X-Forwarded-For values. */
async function statuses(app: FastifyInstance, forwardedFor: readonly string[]): Promise<number[]> {
  const out: number[] = [];
  for (const xff of forwardedFor) {
    const res = await app.inject({
      method: 'GET',
      url: '/api/index/latest',
      remoteAddress: INGRESS_POD,
      headers: { 'x-forwarded-for': xff },
    });
    out.push(res.statusCode);
  }
  return out;
}

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});
const track = (app: FastifyInstance) => (apps.push(app), app);

describe('per-IP rate limit behind an ingress', () => {
  it("without a trusted proxy every client shares the ingress pod's bucket", async () => {
    const app = track(await apiBehindIngress(parseTrustProxy('false')));
    // Four different clients: the fourth is refused because all count as the ingress pod.
    expect(await statuses(app, ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4'])).toEqual([
      200, 200, 200, 429,
    ]);
  });

  it.each(['1', '10.42.0.0/16'])('with TRUST_PROXY=%s each client gets its own bucket', async (setting) => {
    const app = track(await apiBehindIngress(parseTrustProxy(setting)));
    expect(await statuses(app, ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4'])).toEqual([
      200, 200, 200, 200,
    ]);
  });

  it.each(['1', '10.42.0.0/16'])(
    'with TRUST_PROXY=%s a client cannot escape its bucket by sending X-Forwarded-For itself',
    async (setting) => {
      const app = track(await apiBehindIngress(parseTrustProxy(setting)));
      // The ingress appends the address it saw (203.0.113.9); the client rotates what it sent before it.
      const rotated = Array.from({ length: PER_IP + 2 }, (_, i) => `198.51.100.${i}, 203.0.113.9`);
      expect(await statuses(app, rotated)).toEqual([200, 200, 200, 429, 429]);
    },
  );

  it('trusting every proxy (the old TRUST_PROXY=true) let the client pick its bucket', async () => {
    const app = track(await apiBehindIngress(true as unknown as TrustProxy));
    const rotated = Array.from({ length: PER_IP + 2 }, (_, i) => `198.51.100.${i}, 203.0.113.9`);
    expect(await statuses(app, rotated)).toEqual([200, 200, 200, 200, 200]);
  });
});
