import { Authenticator, credentialsOf, PublicRoutes } from './auth';
import { signJwt } from './jwt';

describe('credentialsOf', () => {
  it('reads x-api-key, a bearer token and (when asked) the api_key query parameter', () => {
    expect(credentialsOf({ 'x-api-key': 'k1' })).toEqual({ apiKey: 'k1' });
    expect(credentialsOf({ authorization: 'Bearer  tok ' })).toEqual({ bearer: 'tok' });
    expect(credentialsOf({ authorization: 'Basic xyz' })).toEqual({});
    expect(credentialsOf({}, new URLSearchParams('api_key=k2'))).toEqual({ apiKey: 'k2' });
    expect(credentialsOf({})).toEqual({});
  });
});

describe('Authenticator', () => {
  const lookupKey = (key: string) => Promise.resolve(key === 'good' ? 'id1' : null);

  it('accepts an active API key sent either way', async () => {
    const auth = new Authenticator({ lookupKey });
    expect(await auth.authenticate({ apiKey: 'good' })).toEqual({ kind: 'api-key', id: 'id1' });
    expect(await auth.authenticate({ bearer: 'good' })).toEqual({ kind: 'api-key', id: 'id1' });
    expect(await auth.authenticate({ apiKey: 'bad' })).toBeNull();
    expect(await auth.authenticate({})).toBeNull();
  });

  it('verifies JWT bearer tokens when JWT is enabled', async () => {
    const auth = new Authenticator({ lookupKey, jwt: { secret: 's3cret' } });
    const exp = Math.floor(Date.now() / 1000) + 60;
    expect(await auth.authenticate({ bearer: signJwt({ sub: 'svc', exp }, 's3cret') })).toEqual({
      kind: 'jwt',
      subject: 'svc',
    });
    expect(await auth.authenticate({ bearer: signJwt({ sub: 'svc', exp }, 'wrong') })).toBeNull();
    expect(await auth.authenticate({ bearer: signJwt({ sub: 'svc' }, 's3cret') })).toBeNull();
  });

  it('treats a JWT as an unknown API key when JWT is disabled', async () => {
    const auth = new Authenticator({ lookupKey });
    expect(await auth.authenticate({ bearer: signJwt({ sub: 'svc' }, 's3cret') })).toBeNull();
  });
});

describe('PublicRoutes', () => {
  it('matches exact route patterns and prefixes', () => {
    const routes = new PublicRoutes(['/api/index/latest', '/api/peg/*']);
    expect(routes.isPublic('/api/index/latest')).toBe(true);
    expect(routes.isPublic('/api/peg/:symbol')).toBe(true);
    expect(routes.isPublic('/api/index/history')).toBe(false);
  });
});
