import { ConfigError } from '@stableyield/config';
import { loadAppConfig } from './config';

describe('ws-gateway config', () => {
  it('has defaults for a local run', () => {
    expect(loadAppConfig({})).toMatchObject({ PORT: 8090, HEALTH_PORT: 9211, MAX_CONNECTIONS: 20_000, MAX_BUFFERED_BYTES: 1_048_576, WS_AUTH_REQUIRED: false });
  });

  it('coerces numbers and flags', () => {
    expect(loadAppConfig({ MAX_CONNECTIONS: '5', WS_AUTH_REQUIRED: 'true', HEARTBEAT_INTERVAL_MS: '1000' })).toMatchObject({ MAX_CONNECTIONS: 5, WS_AUTH_REQUIRED: true, HEARTBEAT_INTERVAL_MS: 1000 });
  });

  it('rejects bad values', () => {
    expect(() => loadAppConfig({ MAX_CONNECTIONS: '0' })).toThrow(ConfigError);
    expect(() => loadAppConfig({ WS_AUTH_REQUIRED: 'maybe' })).toThrow('WS_AUTH_REQUIRED');
  });
});
