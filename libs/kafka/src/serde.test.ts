import type { SchemaRegistryClient } from '@confluentinc/schemaregistry/dist/schemaregistry-client';
import { RestError } from '@confluentinc/schemaregistry/dist/rest-error';
import { retryWhileRegistryUnavailable } from './registry-retry';
import { DeserializationError, isTransientRegistryError, RegistryUnavailableError, TopicSerde } from './serde';

/** A registry client whose id look-up fails with `error`. */
const failingRegistry = (error: Error) =>
  ({ getBySubjectAndId: () => Promise.reject(error) }) as unknown as SchemaRegistryClient;
const wireFormat = Buffer.from([0, 0, 0, 0, 7, 1, 2]);

describe('registry errors: transient or undecodable', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8081'), { code: 'ECONNREFUSED' })],
    ['a timeout', Object.assign(new Error('timeout of 1000ms exceeded'), { code: 'ECONNABORTED' })],
    ['a 503', new RestError('unavailable', 503, 50301)],
    ['a 500', new RestError('internal', 500, 50001)],
    ['a 429', new RestError('slow down', 429, 42901)],
  ])('%s is transient: RegistryUnavailableError, never a DeserializationError', async (_what, error) => {
    expect(isTransientRegistryError(error)).toBe(true);
    const attempt = new TopicSerde(failingRegistry(error)).deserialize('cc.prices', wireFormat);
    await expect(attempt).rejects.toBeInstanceOf(RegistryUnavailableError);
    await expect(attempt).rejects.not.toBeInstanceOf(DeserializationError);
  });

  it('an unknown schema id (404) is undecodable', async () => {
    const error = new RestError('Schema 7 not found', 404, 40403);
    expect(isTransientRegistryError(error)).toBe(false);
    await expect(new TopicSerde(failingRegistry(error)).deserialize('cc.prices', wireFormat)).rejects.toBeInstanceOf(
      DeserializationError,
    );
  });

  it('a payload not in the wire format is undecodable without asking the registry', async () => {
    await expect(
      new TopicSerde(failingRegistry(new Error('unused'))).deserialize('cc.prices', Buffer.from('{}')),
    ).rejects.toBeInstanceOf(DeserializationError);
  });
});

describe('retryWhileRegistryUnavailable', () => {
  const unavailable = new RegistryUnavailableError('cc.prices', 7, new Error('ECONNREFUSED'));

  it('retries with back-off until the registry answers', async () => {
    let calls = 0;
    const delays: number[] = [];
    const value = await retryWhileRegistryUnavailable(
      () => (++calls < 4 ? Promise.reject(unavailable) : Promise.resolve('decoded')),
      { initialMs: 1, maxMs: 3, onRetry: (_err, _attempt, delay) => void delays.push(delay) },
    );
    expect(value).toBe('decoded');
    expect(delays).toEqual([1, 2, 3]);
  });

  it('throws any other error at once, and a registry error once stopped', async () => {
    const undecodable = new DeserializationError('cc.prices', 'bad body');
    let calls = 0;
    await expect(
      retryWhileRegistryUnavailable(() => (calls++, Promise.reject(undecodable)), { initialMs: 1 }),
    ).rejects.toBe(undecodable);
    expect(calls).toBe(1);
    await expect(
      retryWhileRegistryUnavailable(() => Promise.reject(unavailable), { initialMs: 1, stopped: () => true }),
    ).rejects.toBe(unavailable);
  });
});

describe('writer schemas', () => {
  const schema = JSON.stringify({
    type: 'record',
    name: 'Rate',
    fields: [
      { name: 'series', type: 'string' },
      { name: 'rate', type: 'double' },
      { name: 'date', type: 'string' },
      { name: 'ts', type: 'long' },
    ],
  });
  const value = { series: 'DGS3MO', rate: 3.9, date: '2026-12-04', ts: 1 };
  const idOf = (payload: Buffer) => payload.readUInt32BE(1);

  it('an expired schema keeps serving while the registry is asked again; the answer is used from then on', async () => {
    const answers: ((id: number) => void)[] = [];
    const client = {
      getLatestSchemaMetadata: () => new Promise((resolve) => answers.push((id) => resolve({ id, schema }))),
    } as unknown as SchemaRegistryClient;
    const serde = new TopicSerde(client, { latestCacheSeconds: 0.001 });
    const first = serde.serialize('trad.tbill', value);
    answers.shift()!(1);
    expect(idOf(await first)).toBe(1);
    await new Promise((r) => setTimeout(r, 5));
    // expired: answered at once with the known schema while the refresh hangs
    expect(idOf(await serde.serialize('trad.tbill', value as never))).toBe(1);
    expect(answers).toHaveLength(1);
    answers.shift()!(2);
    await new Promise((r) => setTimeout(r, 5));
    const next = serde.serialize('trad.tbill', value);
    answers.shift()?.(3); // expired again meanwhile: that refresh runs in the background too
    expect(idOf(await next)).toBe(2);
  });

  it('a failed refresh keeps the known schema; the first look-up of a topic waits for the registry', async () => {
    let calls = 0;
    const client = {
      getLatestSchemaMetadata: () =>
        ++calls === 1 ? Promise.resolve({ id: 4, schema }) : Promise.reject(new Error('ECONNREFUSED')),
    } as unknown as SchemaRegistryClient;
    const serde = new TopicSerde(client, { latestCacheSeconds: 0.001 });
    await serde.prefetch(['trad.tbill']);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 3));
      expect(idOf(await serde.serialize('trad.tbill', value as never))).toBe(4);
    }
    expect(calls).toBeGreaterThan(1);
    const fresh = new TopicSerde(client);
    await expect(fresh.serialize('trad.tbill', value as never)).rejects.toThrow(/no registered schema/);
    // a failure is not kept: the next send asks the registry again
    const asked = calls;
    await expect(fresh.serialize('trad.tbill', value as never)).rejects.toThrow(/no registered schema/);
    expect(calls).toBe(asked + 1);
  });
});
