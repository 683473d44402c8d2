// Deterministic randomness: every random number is a hash of (seed, key, index), so any value of the
// market at any time can be computed directly, in any order, and is the same on every run.

/** 32-bit FNV-1a of a string. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Final mixer of murmur3: spreads every input bit over the output. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function hash32(seed: number, key: string, index = 0): number {
  const lo = index % 0x100000000;
  const hi = Math.floor(index / 0x100000000);
  return mix(mix(mix(fnv1a(key) ^ mix(seed >>> 0)) ^ lo) ^ mix(hi + 0x9e3779b9));
}

/** Uniform in [0, 1). */
export function unit(seed: number, key: string, index = 0): number {
  return hash32(seed, key, index) / 0x100000000;
}

/** Uniform in [-1, 1). */
export function signedUnit(seed: number, key: string, index = 0): number {
  return unit(seed, key, index) * 2 - 1;
}

/**
 * Smooth noise in [-1, 1): random knots every `periodMs`, linearly interpolated, so prices drift
 * rather than jump between ticks.
 */
export function valueNoise(seed: number, key: string, t: number, periodMs: number): number {
  const x = t / periodMs;
  const k = Math.floor(x);
  const f = x - k;
  return signedUnit(seed, key, k) * (1 - f) + signedUnit(seed, key, k + 1) * f;
}

/** A UUID-shaped id (like DefiLlama's pool ids), deterministic in seed and key. */
export function uuidFrom(seed: number, key: string): string {
  const hex = [0, 1, 2, 3].map((i) => hash32(seed, key, i).toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
