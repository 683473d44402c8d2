import { ConfigError } from '@stableyield/config';
import { kafkaServiceDefaults } from '@stableyield/config/testing';
import { jwtSettingsOf, signJwt, verifyJwt } from '@stableyield/api-core';
import { loadAppConfig } from './config';

describe('ws-gateway config', () => {
  it('has defaults for a local run', () => {
    expect(loadAppConfig({})).toMatchObject({
      ...kafkaServiceDefaults(9211),
      HOST: '0.0.0.0',
      PORT: 8090,
      MAX_CONNECTIONS: 20_000,
      MAX_BUFFERED_BYTES: 1_048_576,
      WS_AUTH_REQUIRED: false,
    });
  });

  it('coerces numbers and flags', () => {
    expect(
      loadAppConfig({ MAX_CONNECTIONS: '5', WS_AUTH_REQUIRED: 'true', HEARTBEAT_INTERVAL_MS: '1000' }),
    ).toMatchObject({ MAX_CONNECTIONS: 5, WS_AUTH_REQUIRED: true, HEARTBEAT_INTERVAL_MS: 1000 });
  });

  it('rejects bad values', () => {
    expect(() => loadAppConfig({ MAX_CONNECTIONS: '0' })).toThrow(ConfigError);
    expect(() => loadAppConfig({ WS_AUTH_REQUIRED: 'maybe' })).toThrow('WS_AUTH_REQUIRED');
  });

  it('checks JWT issuer, audience and lifetime as the api does', () => {
    const secret = 'x'.repeat(32);
    const settings = jwtSettingsOf(
      loadAppConfig({ JWT_SECRET: secret, JWT_ISSUER: 'syi-auth', JWT_AUDIENCE: 'stream', JWT_MAX_LIFETIME_S: '600' }),
    );
    expect(settings).toEqual({ secret, issuer: 'syi-auth', audience: 'stream', maxLifetimeSeconds: 600 });
    const now = 1_700_000_000;
    const token = (claims: Record<string, unknown>) =>
      signJwt({ sub: 's', iss: 'syi-auth', aud: 'stream', exp: now + 60, ...claims }, secret);
    expect(verifyJwt(token({}), settings!, now)).not.toBeNull();
    expect(verifyJwt(token({ iss: 'someone-else' }), settings!, now)).toBeNull();
    expect(verifyJwt(token({ aud: 'api' }), settings!, now)).toBeNull();
    expect(verifyJwt(token({ exp: now + 3_600 }), settings!, now)).toBeNull();
    expect(verifyJwt(token({ exp: undefined }), settings!, now)).toBeNull();
  });
});
