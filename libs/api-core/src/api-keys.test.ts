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
    const cache = new CachedKeyLookup((key) => {
      calls.push(key);
      return Promise.resolve(active ? 'id' : null);
    }, 1000, 100, () => now);
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
    const lookups = (cache as unknown as { cache: Map<string, unknown> }).cache;
    for (const k of ['a', 'b', 'c', 'd', 'e']) await cache.lookup(k);
    expect(lookups.size).toBeLessThanOrEqual(2);
  });
});
