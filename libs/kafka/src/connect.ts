// The Kafka side of every app's start-up: the client, the schema registry client and its serde,
// and (when the app owns it) the idempotent provisioning of topics and schemas.
import type { Logger } from 'pino';
import { createRegistryClient, registerSchemas } from '@stableyield/schemas';
import type { TopicSpec } from './catalog';
import { createKafka, type Kafka } from './client';
import { kafkaSettingsOf, type KafkaConnectionConfig } from './connection';
import { provisionTopics } from './provision';
import { TopicSerde } from './serde';

/** The variables of `kafkaSchema` that the connection reads. */
export interface KafkaAppConfig extends KafkaConnectionConfig {
  readonly KAFKA_CLIENT_ID?: string | undefined;
  readonly SCHEMA_REGISTRY_URL: string;
  readonly KAFKA_REPLICATION_FACTOR: number;
}

export interface ConnectKafkaOptions {
  /** The client id unless KAFKA_CLIENT_ID overrides it: the app's name. */
  clientId: string;
  /** Topics to create or align, then every schema registered (schema-first); false: neither. */
  provision: readonly TopicSpec[] | false;
}

export interface KafkaConnection {
  readonly kafka: Kafka;
  readonly registryClient: ReturnType<typeof createRegistryClient>;
  readonly serde: TopicSerde;
}

export async function connectKafka(
  config: KafkaAppConfig,
  logger: Logger,
  options: ConnectKafkaOptions,
): Promise<KafkaConnection> {
  const kafka = createKafka(kafkaSettingsOf(config, config.KAFKA_CLIENT_ID ?? options.clientId), logger);
  const registryClient = createRegistryClient(config.SCHEMA_REGISTRY_URL);
  if (options.provision) {
    const replicationFactor = config.KAFKA_REPLICATION_FACTOR;
    await provisionTopics(kafka, logger, { replicationFactor, topics: options.provision });
    await registerSchemas(registryClient);
  }
  return { kafka, registryClient, serde: new TopicSerde(registryClient) };
}
