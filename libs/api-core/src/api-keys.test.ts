import { CachedKeyLookup, generateKey, hashKey, KEY_PREFIX } from './api-keys';

describe('API keys', () => {
  it('generates distinct prefixed keys and hashes them with SHA-256', () => {
    const a = generateKey();
    const b = generateKey();
    expect(a.key.startsWith(KEY_PREFIX)).toBe(true);
    expect(a.key).not.toBe(b.key);
    expect(a.id).toMatch(/^[0-9a-f]{12}$/);
    expect(hashKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('caches lookups for the TTL, then asks again (so revocations take effect)', async () => {
    let now = 0;
    let active = true;
    const calls: string[] = [];
    const cache = new CachedKeyLookup(
      (key) => {
        calls.push(key);
        return Promise.resolve(active ? 'id' : null);
      },
      1000,
      100,
      () => now,
    );
    expect(await cache.lookup('k')).toBe('id');
    active = false;
    now = 999;
    expect(await cache.lookup('k')).toBe('id');
    now = 1000;
    expect(await cache.lookup('k')).toBeNull();
    expect(calls).toEqual(['k', 'k']);
  });

  it('stays bounded', async () => {
    const cache = new CachedKeyLookup(() => Promise.resolve(null), 60_000, 2);
    const unknown = (cache as unknown as { unknown: Map<string, unknown> }).unknown;
    for (const k of ['a', 'b', 'c', 'd', 'e']) await cache.lookup(k);
    expect(unknown.size).toBe(2);
  });

  it('remembers unknown keys: a retried guess costs no second query', async () => {
    const calls: string[] = [];
    const cache = new CachedKeyLookup(
      (key) => {
        calls.push(key);
        return Promise.resolve(null);
      },
      60_000,
      100,
    );
    for (let i = 0; i < 5; i++) expect(await cache.lookup('guess')).toBeNull();
    expect(calls).toEqual(['guess']);
  });

  it('keeps a valid key cached while guessed keys overflow the cache', async () => {
    const calls: string[] = [];
    const cache = new CachedKeyLookup(
      (key) => {
        calls.push(key);
        return Promise.resolve(key === 'valid' ? 'id' : null);
      },
      60_000,
      10,
    );
    expect(await cache.lookup('valid')).toBe('id');
    for (let i = 0; i < 1_000; i++) await cache.lookup(`guess-${i}`);
    expect(await cache.lookup('valid')).toBe('id');
    expect(calls.filter((k) => k === 'valid')).toHaveLength(1);
  });
});
