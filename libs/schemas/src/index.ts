export * from './avro';
export * from './records';
export { VALUE_SCHEMAS } from './topics';
export { createRegistryClient, registerSchemas, valueSubject, type RegisteredSchema } from './registry';
