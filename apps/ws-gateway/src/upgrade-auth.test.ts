import type { IncomingMessage } from 'node:http';
import { recordingAuthenticator } from '@stableyield/api-core/testing';
import { upgradeAuthorizer } from './upgrade-auth';

const KEY = 'syk_valid_placeholder';
const upgrade = (url: string, headers: Record<string, string> = {}) => ({ url, headers }) as unknown as IncomingMessage;

function authorizer() {
  const { authenticator, lookups } = recordingAuthenticator(KEY);
  return { authorize: upgradeAuthorizer(authenticator, 3, () => 0), lookups };
}

describe('upgradeAuthorizer', () => {
  it('accepts a key in ?api_key= or x-api-key and refuses none with 401', async () => {
    const { authorize } = authorizer();
    expect(await authorize(upgrade(`/stream/syi/live?api_key=${KEY}`), '203.0.113.1')).toBe(true);
    expect(await authorize(upgrade('/stream/syi/live', { 'x-api-key': KEY }), '203.0.113.1')).toBe(true);
    expect(await authorize(upgrade('/stream/syi/live'), '203.0.113.1')).toMatchObject({ status: 401 });
  });

  it('stops asking the key store for an address that keeps guessing (429)', async () => {
    const { authorize, lookups } = authorizer();
    const results = [];
    for (let i = 0; i < 6; i++)
      results.push(await authorize(upgrade(`/stream/syi/live?api_key=guess-${i}`), '203.0.113.66'));
    expect(results.map((r) => (typeof r === 'object' ? r.status : 200))).toEqual([401, 401, 401, 429, 429, 429]);
    expect(lookups).toHaveLength(3);
    expect(await authorize(upgrade(`/stream/syi/live?api_key=${KEY}`), '198.51.100.2')).toBe(true);
  });
});
