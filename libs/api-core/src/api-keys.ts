import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from './db';

/** Idempotent DDL of the key table (libs/postgres does not own it: only the API reads it). */
export const API_KEYS_DDL = [
  `CREATE TABLE IF NOT EXISTS api_keys (
    id text PRIMARY KEY,
    name text NOT NULL,
    key_hash text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
  )`,
];

export async function ensureApiKeysTable(db: Queryable): Promise<void> {
  for (const sql of API_KEYS_DDL) await db.query(sql);
}

/** Keys are 32 random bytes; the prefix makes a leaked key easy to recognise (secret scanners). */
export const KEY_PREFIX = 'syk_';

/** A new secret key (shown once, never stored) and its short public id. */
export function generateKey(): { id: string; key: string } {
  return { id: randomBytes(6).toString('hex'), key: `${KEY_PREFIX}${randomBytes(32).toString('base64url')}` };
}

/** Hex SHA-256 of a key: enough for high-entropy random keys (no password-style stretching needed). */
export const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export interface ApiKeyInfo {
  id: string;
  name: string;
  createdAt: string;
  revokedAt: string | null;
}

/** Create, list, revoke and look up API keys; only hashes are stored. */
export class ApiKeyStore {
  constructor(private readonly db: Queryable) {}

  async create(name: string): Promise<ApiKeyInfo & { key: string }> {
    const { id, key } = generateKey();
    const { rows } = await this.db.query<{ created_at: Date }>(
      'INSERT INTO api_keys (id, name, key_hash) VALUES ($1, $2, $3) RETURNING created_at',
      [id, name, hashKey(key)],
    );
    return { id, name, key, createdAt: rows[0]!.created_at.toISOString(), revokedAt: null };
  }

  async list(): Promise<ApiKeyInfo[]> {
    const { rows } = await this.db.query<{ id: string; name: string; created_at: Date; revoked_at: Date | null }>(
      'SELECT id, name, created_at, revoked_at FROM api_keys ORDER BY created_at, id',
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      createdAt: r.created_at.toISOString(),
      revokedAt: r.revoked_at?.toISOString() ?? null,
    }));
  }

  /** True when a key that was active is now revoked. */
  async revoke(id: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL',
      [id],
    );
    return (rowCount ?? 0) > 0;
  }

  /** The id of the active key with this secret, or null. */
  async lookup(key: string): Promise<string | null> {
    const { rows } = await this.db.query<{ id: string }>(
      'SELECT id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
      [hashKey(key)],
    );
    return rows[0]?.id ?? null;
  }
}

/**
 * Lookups remembered for a short time, so a busy key costs one query per `ttlMs` and a
 * revocation takes effect within it. Valid and unknown keys are kept apart, each bounded and
 * evicting its oldest entry: guessed keys (each one a miss) can neither flush the valid keys
 * nor cost a query each time they are retried.
 */
export class CachedKeyLookup {
  private readonly valid = new Map<string, { id: string; until: number }>();
  private readonly unknown = new Map<string, number>();

  constructor(
    private readonly lookupKey: (key: string) => Promise<string | null>,
    private readonly ttlMs = 30_000,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  async lookup(key: string): Promise<string | null> {
    const hash = hashKey(key);
    const now = this.now();
    const hit = this.valid.get(hash);
    if (hit && hit.until > now) return hit.id;
    const missUntil = this.unknown.get(hash);
    if (missUntil !== undefined && missUntil > now) return null;
    const id = await this.lookupKey(key);
    if (id === null) remember(this.unknown, hash, now + this.ttlMs, this.maxEntries);
    else remember(this.valid, hash, { id, until: now + this.ttlMs }, this.maxEntries);
    return id;
  }
}

/** Sets `key` as the newest entry of a bounded map, dropping the oldest when full. */
function remember<V>(map: Map<string, V>, key: string, value: V, maxEntries: number): void {
  map.delete(key);
  if (map.size >= maxEntries) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
}
