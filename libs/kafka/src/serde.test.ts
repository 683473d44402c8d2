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
