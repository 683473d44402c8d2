// The client settings of an app's configuration: brokers, and its principal (SASL) and TLS when
// the cluster asks for them. Each app authenticates as itself, so the brokers' ACLs can give it
// exactly the topics, groups and transactional ids it needs (access.ts).
import { readFileSync } from 'node:fs';
import type { KafkaSettings } from './client';

export interface KafkaConnectionConfig {
  KAFKA_BROKERS: string[];
  KAFKA_SASL_MECHANISM?: 'scram-sha-512' | 'scram-sha-256' | 'plain' | undefined;
  KAFKA_SASL_USERNAME?: string | undefined;
  KAFKA_SASL_PASSWORD?: string | undefined;
  KAFKA_TLS?: boolean | undefined;
  KAFKA_TLS_CA_FILE?: string | undefined;
}

export function kafkaSettingsOf(
  config: KafkaConnectionConfig,
  clientId: string,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): KafkaSettings {
  const settings: KafkaSettings = { brokers: config.KAFKA_BROKERS, clientId };
  if (config.KAFKA_SASL_MECHANISM) {
    const { KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = config;
    if (!username || !password) {
      throw new Error(
        `KAFKA_SASL_MECHANISM=${config.KAFKA_SASL_MECHANISM} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD ` +
          '(or KAFKA_SASL_PASSWORD_FILE)',
      );
    }
    settings.sasl = { mechanism: config.KAFKA_SASL_MECHANISM, username, password };
  }
  if (config.KAFKA_TLS_CA_FILE) settings.ssl = { ca: [readFile(config.KAFKA_TLS_CA_FILE)] };
  else if (config.KAFKA_TLS) settings.ssl = true;
  return settings;
}
