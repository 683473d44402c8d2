// Deep imports: the package root also loads every cloud KMS SDK (~1.3 s of start-up we do not need).
import { AvroDeserializer, AvroSerializer } from '@confluentinc/schemaregistry/dist/serde/avro';
import { SerdeType } from '@confluentinc/schemaregistry/dist/serde/serde';
import type { SchemaRegistryClient } from '@confluentinc/schemaregistry/dist/schemaregistry-client';
import type { DataTopic, TopicValues } from '@stableyield/schemas';

/** A value that could not be encoded for its topic: the message names the field and what was wrong. */
export class SerializationError extends Error {
  override readonly name = 'SerializationError';
  constructor(readonly topic: string, detail: string) {
    super(`cannot encode a ${topic} record: ${detail}`);
  }
}

/** A payload that is not a registered Avro record of its topic. */
export class DeserializationError extends Error {
  override readonly name = 'DeserializationError';
  constructor(readonly topic: string, detail: string) {
    super(`cannot decode a ${topic} record: ${detail}`);
  }
}

/**
 * Avro values in the Confluent wire format (magic byte 0 + 4-byte schema id + Avro body),
 * schema-first: the serializer uses the latest registered schema of `<topic>-value` and
 * never registers one itself (provisioning does that).
 */
export class TopicSerde {
  private readonly serializer: AvroSerializer;
  private readonly deserializer: AvroDeserializer;

  constructor(client: SchemaRegistryClient, options: { latestCacheSeconds?: number } = {}) {
    const cacheLatestTtlSecs = options.latestCacheSeconds ?? 60;
    this.serializer = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true, autoRegisterSchemas: false, cacheLatestTtlSecs });
    this.deserializer = new AvroDeserializer(client, SerdeType.VALUE, {});
  }

  async serialize<T extends DataTopic>(topic: T, value: TopicValues[T]): Promise<Buffer> {
    try {
      return await this.serializer.serialize(topic, value);
    } catch (err) {
      throw new SerializationError(topic, (err as Error).message);
    }
  }

  async deserialize<T extends DataTopic>(topic: T, payload: Buffer): Promise<TopicValues[T]> {
    if (payload.length < 5 || payload[0] !== 0) throw new DeserializationError(topic, 'not in the schema-registry wire format (magic byte 0 + schema id)');
    try {
      return (await this.deserializer.deserialize(topic, payload)) as TopicValues[T];
    } catch (err) {
      throw new DeserializationError(topic, (err as Error).message);
    }
  }
}
