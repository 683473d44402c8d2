// The Kafka side of every app's start-up: the client, the schema registry client and its serde,
// and (when the app owns it) the idempotent provisioning of topics and schemas.
import type { Logger } from 'pino';
import { createRegistryClient, registerSchemas } from '@stableyield/schemas';
import type { TopicSpec } from './catalog';
import { createKafka, type Kafka } from './client';
import { kafkaSettingsOf, type KafkaConnectionConfig } from './connection';
import { provisionTopics } from './provision';
import { isRegistryUnreachable, TopicSerde } from './serde';

/** The variables of `kafkaSchema` that the connection reads. */
export interface KafkaAppConfig extends KafkaConnectionConfig {
  readonly KAFKA_CLIENT_ID?: string | undefined;
  readonly SCHEMA_REGISTRY_URL: string;
  readonly KAFKA_REPLICATION_FACTOR: number;
  /** false: the topics exist already, made by someone with the rights to (Kubernetes: Strimzi's topic operator). */
  readonly PROVISION_TOPICS: boolean;
}

export interface ConnectKafkaOptions {
  /** The client id unless KAFKA_CLIENT_ID overrides it: the app's name. */
  clientId: string;
  /**
   * Topics to create or align (unless PROVISION_TOPICS is false), then every schema registered
   * (schema-first); false: neither (a tool that only reads).
   */
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
    // Creating and aligning topics takes rights an app's least-privilege ACLs do not give it (Create,
    // DescribeConfigs, AlterConfigs); registering schemas takes none on Kafka, and both are idempotent.
    if (config.PROVISION_TOPICS) {
      const replicationFactor = config.KAFKA_REPLICATION_FACTOR;
      await provisionTopics(kafka, logger, { replicationFactor, topics: options.provision });
      await registerSchemas(registryClient);
    } else {
      await registerSchemasUnlessUnavailable(registryClient, logger);
    }
  }
  return { kafka, registryClient, serde: new TopicSerde(registryClient) };
}

/**
 * Where the topics are provisioned apart (Kubernetes), every app still registers the schemas at
 * start. A registry that refuses one (an incompatible change) stops the app: that change must not
 * roll out. A registry that does not answer does not: the app starts degraded, as it would run
 * through the same outage (its reads wait for the registry; docs/reliability.md).
 */
async function registerSchemasUnlessUnavailable(
  registryClient: ReturnType<typeof createRegistryClient>,
  logger: Logger,
): Promise<void> {
  try {
    await registerSchemas(registryClient);
  } catch (err) {
    if (!isRegistryUnreachable(err)) throw err;
    logger.warn({ err }, 'schemas_not_registered_registry_unavailable');
  }
}
