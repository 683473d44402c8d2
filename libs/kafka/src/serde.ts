import avro from 'avsc';
import type { SchemaRegistryClient } from '@confluentinc/schemaregistry/dist/schemaregistry-client';
import { valueSubject, type DataTopic, type TopicValues } from '@stableyield/schemas';

/** A value that could not be encoded for its topic: the message names the field and what was wrong. */
export class SerializationError extends Error {
  override readonly name = 'SerializationError';
  constructor(
    readonly topic: string,
    detail: string,
  ) {
    super(`cannot encode a ${topic} record: ${detail}`);
  }
}

/** A payload that is not a registered Avro record of its topic. */
export class DeserializationError extends Error {
  override readonly name = 'DeserializationError';
  constructor(
    readonly topic: string,
    detail: string,
  ) {
    super(`cannot decode a ${topic} record: ${detail}`);
  }
}

/**
 * The registry could not answer a schema look-up for now (no connection, a timeout, a 5xx, 408,
 * 429): the record may be perfectly decodable. Readers retry it; it never makes a dead letter.
 */
export class RegistryUnavailableError extends Error {
  override readonly name = 'RegistryUnavailableError';
  constructor(
    readonly topic: string,
    readonly schemaId: number,
    cause: unknown,
  ) {
    super(
      `schema registry unavailable while decoding a ${topic} record ` +
        `with schema id ${schemaId} (${(cause as Error).message})`,
    );
  }
}

/**
 * Whether a registry client error is transient. The client (@confluentinc/schemaregistry) gives
 * an HTTP answer as a RestError with its status; anything without a status never got an answer
 * (connection refused or reset, DNS, a timeout).
 */
export function isTransientRegistryError(err: unknown): boolean {
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status !== 'number') return true;
  return isTransientStatus(status);
}

const isTransientStatus = (status: number) => status >= 500 || status === 408 || status === 429;

/**
 * Stricter, for a request that is not a look-up (registering at start): the registry gave no
 * HTTP answer (the client's request itself failed: refused, reset, timed out) or a transient
 * one. Any other error, even one without a status, is a real problem.
 */
export function isRegistryUnreachable(err: unknown): boolean {
  const e = err as { status?: unknown; isAxiosError?: unknown; response?: unknown } | null;
  if (typeof e?.status === 'number') return isTransientStatus(e.status);
  return e?.isAxiosError === true && e.response === undefined;
}

const MAGIC_BYTE = 0;
const HEADER_BYTES = 5;

interface WriterSchema {
  id: number;
  type: avro.Type;
}

/** A topic's writer schema: the one in use, the look-up in flight, when to ask again. */
interface WriterEntry {
  /** the latest schema the registry answered; undefined until it first did */
  known?: WriterSchema;
  /** the registry look-up in flight */
  pending?: Promise<WriterSchema> | undefined;
  /** when to ask the registry again */
  expiresAt: number;
}

/**
 * Avro values in the Confluent wire format (magic byte 0 + 4-byte big-endian schema id + Avro
 * body), schema-first: values are written with the latest schema registered for
 * `<topic>-value` (refreshed every `latestCacheSeconds`) and this class never registers one.
 * Registry look-ups go through @confluentinc/schemaregistry's client; encoding is done here
 * with avsc directly, which is several times faster than the generic serializer's rule engine.
 */
export class TopicSerde {
  private readonly writers = new Map<string, WriterEntry>();
  private readonly readers = new Map<number, Promise<avro.Type>>();
  private readonly latestTtlMs: number;

  constructor(
    private readonly client: SchemaRegistryClient,
    options: { latestCacheSeconds?: number } = {},
  ) {
    this.latestTtlMs = (options.latestCacheSeconds ?? 60) * 1000;
  }

  async serialize<T extends DataTopic>(topic: T, value: TopicValues[T]): Promise<Buffer> {
    const writer = await this.writerSchema(topic);
    const problems: string[] = [];
    const valid = writer.type.isValid(value, {
      errorHook: (path, got, type) =>
        problems.push(
          `Invalid message at ${path.join('.') || '(root)'}, expected ${String(type)}, got ${JSON.stringify(got)}`,
        ),
    });
    if (!valid) throw new SerializationError(topic, problems.join('; '));
    const body = writer.type.toBuffer(value);
    const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
    out.writeUInt8(MAGIC_BYTE, 0);
    out.writeUInt32BE(writer.id, 1);
    body.copy(out, HEADER_BYTES);
    return out;
  }

  async deserialize<T extends DataTopic>(topic: T, payload: Buffer): Promise<TopicValues[T]> {
    if (payload.length < HEADER_BYTES || payload[0] !== MAGIC_BYTE) {
      throw new DeserializationError(topic, 'not in the schema-registry wire format (magic byte 0 + schema id)');
    }
    const id = payload.readUInt32BE(1);
    let type: avro.Type;
    try {
      type = await this.readerType(topic, id);
    } catch (err) {
      if (isTransientRegistryError(err)) throw new RegistryUnavailableError(topic, id, err);
      throw new DeserializationError(topic, `schema id ${id} is not known to the registry (${(err as Error).message})`);
    }
    try {
      return type.fromBuffer(payload.subarray(HEADER_BYTES)) as TopicValues[T];
    } catch (err) {
      throw new DeserializationError(topic, `body does not match schema id ${id} (${(err as Error).message})`);
    }
  }

  /**
   * The latest schema of a topic; one registry request per expiry, however many callers wait.
   * Once a schema is known, an expired one is still used while the newer one is fetched: a
   * refresh never delays a send (an ingester's records would reach the processors that much
   * later than their event time, and a tight allowed lateness counts that).
   */
  private writerSchema(topic: string): Promise<WriterSchema> {
    const now = Date.now();
    let entry = this.writers.get(topic);
    if (entry === undefined) {
      entry = { expiresAt: 0 };
      this.writers.set(topic, entry);
    }
    if (now >= entry.expiresAt && entry.pending === undefined) this.refresh(topic, entry, now);
    return entry.known !== undefined ? Promise.resolve(entry.known) : entry.pending!;
  }

  /** Asks the registry for the latest schema; a failure keeps the known one until the next expiry. */
  private refresh(topic: string, entry: WriterEntry, now: number): void {
    const pending = this.fetchWriterSchema(topic);
    entry.pending = pending;
    entry.expiresAt = now + this.latestTtlMs;
    pending.then(
      (schema) => {
        entry.known = schema;
        entry.pending = undefined;
      },
      () => {
        entry.pending = undefined;
        // none known yet: the next call asks again at once (its caller got this error)
        if (entry.known === undefined) entry.expiresAt = 0;
      },
    );
  }

  private async fetchWriterSchema(topic: string): Promise<WriterSchema> {
    try {
      const latest = await this.client.getLatestSchemaMetadata(valueSubject(topic));
      if (latest.id === undefined || latest.schema === undefined)
        throw new Error(`registry returned no schema for ${valueSubject(topic)}`);
      return { id: latest.id, type: avro.Type.forSchema(JSON.parse(latest.schema) as avro.Schema) };
    } catch (err) {
      throw new SerializationError(
        topic,
        `no registered schema for ${valueSubject(topic)} (${(err as Error).message})`,
      );
    }
  }

  /** Looks up the writer schemas of these topics now, so that the first send of each does not wait for the registry. */
  async prefetch(topics: readonly DataTopic[]): Promise<void> {
    await Promise.all(topics.map((t) => this.writerSchema(t)));
  }

  private readerType(topic: string, id: number): Promise<avro.Type> {
    let type = this.readers.get(id);
    if (!type) {
      type = this.client.getBySubjectAndId(valueSubject(topic), id).then((info) => {
        try {
          return avro.Type.forSchema(JSON.parse(info.schema) as avro.Schema);
        } catch (err) {
          // the registry answered with a schema we cannot use: permanent, not a registry outage
          throw Object.assign(new Error(`schema id ${id} is not usable Avro (${(err as Error).message})`), {
            status: 422,
          });
        }
      });
      this.readers.set(id, type);
      type.catch(() => this.readers.delete(id));
    }
    return type;
  }
}
