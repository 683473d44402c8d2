import { createHmac } from 'node:crypto';
import { jwtSettingsOf, signJwt, verifyJwt } from './jwt';

const secret = 'test-secret-of-enough-length';
const now = 1_700_000_000;

describe('verifyJwt', () => {
  it('accepts a valid HS256 token and returns its claims', () => {
    const token = signJwt({ sub: 'alice', exp: now + 60, iss: 'me', aud: ['api', 'x'] }, secret);
    expect(verifyJwt(token, { secret, issuer: 'me', audience: 'api' }, now)).toMatchObject({ sub: 'alice' });
  });

  it('rejects a wrong signature, expiry, early use, issuer and audience', () => {
    const exp = now + 60;
    expect(verifyJwt(signJwt({ sub: 'a', exp }, 'other-secret'), { secret }, now)).toBeNull();
    expect(verifyJwt(signJwt({ exp: now - 31 }, secret), { secret }, now)).toBeNull();
    expect(verifyJwt(signJwt({ exp, nbf: now + 31 }, secret), { secret }, now)).toBeNull();
    expect(verifyJwt(signJwt({ exp, iss: 'x' }, secret), { secret, issuer: 'me' }, now)).toBeNull();
    expect(verifyJwt(signJwt({ exp, aud: 'x' }, secret), { secret, audience: 'api' }, now)).toBeNull();
  });

  it('refuses a token without a numeric exp: it would never expire', () => {
    expect(verifyJwt(signJwt({ sub: 'a' }, secret), { secret }, now)).toBeNull();
    expect(verifyJwt(signJwt({ sub: 'a', exp: String(now + 60) } as never, secret), { secret }, now)).toBeNull();
    expect(verifyJwt(signJwt({ sub: 'a', exp: null } as never, secret), { secret }, now)).toBeNull();
  });

  it('caps the lifetime: exp at most maxLifetimeSeconds after now and after iat (default one day)', () => {
    expect(verifyJwt(signJwt({ sub: 'a', exp: now + 86_400 }, secret), { secret }, now)).not.toBeNull();
    expect(verifyJwt(signJwt({ sub: 'a', exp: now + 10 * 365 * 86_400 }, secret), { secret }, now)).toBeNull();
    expect(
      verifyJwt(signJwt({ sub: 'a', exp: now + 600 }, secret), { secret, maxLifetimeSeconds: 300 }, now),
    ).toBeNull();
    expect(verifyJwt(signJwt({ sub: 'a', iat: now - 90_000, exp: now + 60 }, secret), { secret }, now)).toBeNull();
    expect(
      verifyJwt(signJwt({ sub: 'a', iat: 'yesterday', exp: now + 60 } as never, secret), { secret }, now),
    ).toBeNull();
  });

  it('rejects alg "none" and garbage', () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ sub: 'a', exp: now + 60 })).toString('base64url');
    expect(verifyJwt(`${header}.${payload}.`, { secret }, now)).toBeNull();
    const hs512 = Buffer.from(JSON.stringify({ alg: 'HS512' })).toString('base64url');
    const sig = createHmac('sha256', secret).update(`${hs512}.${payload}`).digest('base64url');
    expect(verifyJwt(`${hs512}.${payload}.${sig}`, { secret }, now)).toBeNull();
    expect(verifyJwt('a.b.c', { secret }, now)).toBeNull();
    expect(verifyJwt('not a token', { secret }, now)).toBeNull();
  });
});

describe('jwtSettingsOf', () => {
  it('is off without a secret and carries issuer, audience and lifetime when set', () => {
    expect(jwtSettingsOf({})).toBeUndefined();
    expect(
      jwtSettingsOf({ JWT_SECRET: secret, JWT_ISSUER: 'me', JWT_AUDIENCE: 'stream', JWT_MAX_LIFETIME_S: 600 }),
    ).toEqual({
      secret,
      issuer: 'me',
      audience: 'stream',
      maxLifetimeSeconds: 600,
    });
  });
});
