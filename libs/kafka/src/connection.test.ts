import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, kafkaSchema, z } from '@stableyield/config';
import { kafkaSettingsOf } from './connection';

const schema = z.object(kafkaSchema);

describe('kafkaSettingsOf', () => {
  it('connects without authentication by default (the local stack)', () => {
    expect(kafkaSettingsOf(loadConfig(schema, {}), 'api')).toEqual({ brokers: ['127.0.0.1:9092'], clientId: 'api' });
  });

  it('authenticates with SCRAM, the password read from KAFKA_SASL_PASSWORD_FILE, and trusts a CA file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafka-conn-'));
    writeFileSync(join(dir, 'password'), 'placeholder-password\n');
    writeFileSync(join(dir, 'ca.crt'), 'CA PEM');
    const config = loadConfig(schema, {
      KAFKA_BROKERS: 'kafka:9093',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'keeper',
      KAFKA_SASL_PASSWORD_FILE: join(dir, 'password'),
      KAFKA_TLS: 'true',
      KAFKA_TLS_CA_FILE: join(dir, 'ca.crt'),
    });
    expect(kafkaSettingsOf(config, 'keeper')).toEqual({
      brokers: ['kafka:9093'],
      clientId: 'keeper',
      sasl: { mechanism: 'scram-sha-512', username: 'keeper', password: 'placeholder-password' },
      ssl: { ca: ['CA PEM'] },
    });
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a mechanism without username and password', () => {
    expect(() =>
      kafkaSettingsOf(
        { KAFKA_BROKERS: ['k:9093'], KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'keeper' },
        'keeper',
      ),
    ).toThrow(/KAFKA_SASL_PASSWORD/);
  });
});
