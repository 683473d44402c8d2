import { Authenticator } from './auth';
import { HttpError } from './errors';
import { RequestGuard, type GuardedRequest } from './request-guard';
import { recordingAuthenticator } from './testing';

const KEY = 'syk_valid_placeholder';
const limits = { perKey: 5, perIp: 3, authFailuresPerIp: 2, windowMs: 60_000 };

function guardWithStore() {
  const { authenticator, lookups } = recordingAuthenticator(KEY);
  return { guard: new RequestGuard(authenticator, limits, () => 0), lookups };
}

const request = (over: Partial<GuardedRequest> = {}): GuardedRequest => ({
  ip: '203.0.113.7',
  headers: {},
  isPublic: false,
  ...over,
});

async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (err) {
    if (err instanceof HttpError) return err.statusCode;
    throw err;
  }
}

describe('RequestGuard', () => {
  it('refuses a guessing IP before asking the key store once its failure budget is spent', async () => {
    const { guard, lookups } = guardWithStore();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push(await statusOf(guard.admit(request({ headers: { 'x-api-key': `guess-${i}` } }))));
    expect(statuses).toEqual([401, 401, 429, 429, 429, 429]);
    expect(lookups).toEqual(['guess-0', 'guess-1']);
  });

  it('keeps another IP, and the valid key, unaffected by a guesser', async () => {
    const { guard } = guardWithStore();
    for (let i = 0; i < 5; i++) await statusOf(guard.admit(request({ headers: { 'x-api-key': `guess-${i}` } })));
    expect(await guard.admit(request({ ip: '198.51.100.9', headers: { 'x-api-key': KEY } }))).toEqual({
      kind: 'api-key',
      id: 'key1',
    });
  });

  it('counts anonymous requests per IP and keyed requests per key', async () => {
    const { guard } = guardWithStore();
    const anonymous = [];
    for (let i = 0; i < 4; i++) anonymous.push(await statusOf(guard.admit(request({ isPublic: true }))));
    expect(anonymous).toEqual([200, 200, 200, 429]);
    const keyed = [];
    for (let i = 0; i < 6; i++) keyed.push(await statusOf(guard.admit(request({ headers: { 'x-api-key': KEY } }))));
    expect(keyed).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('answers 401 with WWW-Authenticate on a private route without credentials', async () => {
    const { guard, lookups } = guardWithStore();
    await expect(guard.admit(request())).rejects.toMatchObject({
      statusCode: 401,
      headers: { 'www-authenticate': 'Bearer' },
    });
    expect(lookups).toEqual([]);
  });

  it('reads ?api_key= of a WebSocket upgrade', async () => {
    const { guard } = guardWithStore();
    expect(await guard.admit(request({ query: new URLSearchParams({ api_key: KEY }) }))).toEqual({
      kind: 'api-key',
      id: 'key1',
    });
  });

  it('limits nothing without limits', async () => {
    const guard = new RequestGuard(new Authenticator({ lookupKey: () => Promise.resolve(null) }), null);
    for (let i = 0; i < 50; i++)
      expect(await guard.admit(request({ isPublic: true, headers: { 'x-api-key': 'x' } }))).toBeNull();
  });
});
