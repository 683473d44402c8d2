import { ConfigError } from '@stableyield/config';
import { loadAppConfig } from './config';

describe('auditor configuration', () => {
  it('defaults to checking 2 s after a record is read, with 30 s of grace, on the production topics', () => {
    expect(loadAppConfig({})).toMatchObject({
      HEALTH_PORT: 9213,
      TOPIC_PREFIX: '',
      AUDIT_SETTLE_MS: 2000,
      AUDIT_GRACE_MS: 30_000,
      AUDIT_TICK_MS: 1000,
    });
  });

  it('refuses a grace of 0 and a bad prefix, naming each', () => {
    let error: unknown;
    try {
      loadAppConfig({ AUDIT_GRACE_MS: '0', TOPIC_PREFIX: 'bad prefix!' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toContain('AUDIT_GRACE_MS');
    expect(String(error)).toContain('TOPIC_PREFIX');
  });
});
