import { createHmac } from 'node:crypto';
import { signJwt, verifyJwt } from './jwt';

const secret = 'test-secret-of-enough-length';
const now = 1_700_000_000;

describe('verifyJwt', () => {
  it('accepts a valid HS256 token and returns its claims', () => {
    const token = signJwt({ sub: 'alice', exp: now + 60, iss: 'me', aud: ['api', 'x'] }, secret);
    expect(verifyJwt(token, { secret, issuer: 'me', audience: 'api' }, now)).toMatchObject({ sub: 'alice' });
  });

  it('rejects a wrong signature, expiry, early use, issuer and audience', () => {
    expect(verifyJwt(signJwt({ sub: 'a' }, 'other-secret'), { secret }, now)).toBeNull();
    expect(verifyJwt(signJwt({ exp: now - 31 }, secret), { secret }, now)).toBeNull();
    expect(verifyJwt(signJwt({ nbf: now + 31 }, secret), { secret }, now)).toBeNull();
    expect(verifyJwt(signJwt({ iss: 'x' }, secret), { secret, issuer: 'me' }, now)).toBeNull();
    expect(verifyJwt(signJwt({ aud: 'x' }, secret), { secret, audience: 'api' }, now)).toBeNull();
  });

  it('rejects alg "none" and garbage', () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ sub: 'a' })).toString('base64url');
    expect(verifyJwt(`${header}.${payload}.`, { secret }, now)).toBeNull();
    const hs512 = Buffer.from(JSON.stringify({ alg: 'HS512' })).toString('base64url');
    const sig = createHmac('sha256', secret).update(`${hs512}.${payload}`).digest('base64url');
    expect(verifyJwt(`${hs512}.${payload}.${sig}`, { secret }, now)).toBeNull();
    expect(verifyJwt('a.b.c', { secret }, now)).toBeNull();
    expect(verifyJwt('not a token', { secret }, now)).toBeNull();
  });
});
