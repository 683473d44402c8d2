import { SchemaRegistryClient, type Compatibility } from '@confluentinc/schemaregistry/dist/schemaregistry-client';
import type { AvroSchema } from './avro';
import { VALUE_SCHEMAS } from './topics';

/** Subject of a topic's values under the TopicNameStrategy. */
export const valueSubject = (topic: string) => `${topic}-value`;

export function createRegistryClient(url: string): SchemaRegistryClient {
  return new SchemaRegistryClient({ baseURLs: [url], cacheCapacity: 1000, maxRetries: 3 });
}

export interface RegisteredSchema {
  topic: string;
  subject: string;
  id: number;
}

/**
 * Schema-first provisioning: sets BACKWARD compatibility on each subject and registers
 * the schema of every topic. Registering an unchanged schema returns the existing id, so
 * this is safe to run on every start; an incompatible change is refused by the registry.
 */
export async function registerSchemas(
  client: SchemaRegistryClient,
  schemas: Readonly<Record<string, AvroSchema>> = VALUE_SCHEMAS,
): Promise<RegisteredSchema[]> {
  const registered: RegisteredSchema[] = [];
  for (const [topic, schema] of Object.entries(schemas)) {
    const subject = valueSubject(topic);
    await client.updateCompatibility(subject, 'BACKWARD' as Compatibility);
    const id = await client.register(subject, { schemaType: 'AVRO', schema: JSON.stringify(schema) }, false);
    registered.push({ topic, subject, id });
  }
  return registered;
}
