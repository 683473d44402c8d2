import { looksLikeJwt, verifyJwt, type JwtSettings } from './jwt';

/** Who made a request: an API key (by id) or a JWT subject. */
export type Principal = { kind: 'api-key'; id: string } | { kind: 'jwt'; subject: string };

export interface Credentials {
  apiKey?: string;
  bearer?: string;
}

type Headers = Record<string, string | string[] | undefined>;

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/**
 * Credentials of a request: `x-api-key`, `Authorization: Bearer …`, and — for browsers, whose
 * WebSocket API cannot set headers — an `api_key` query parameter when `query` is given.
 */
export function credentialsOf(headers: Headers, query?: URLSearchParams): Credentials {
  const out: Credentials = {};
  const apiKey = first(headers['x-api-key']) ?? query?.get('api_key') ?? undefined;
  if (apiKey) out.apiKey = apiKey;
  const authorization = first(headers.authorization);
  const match = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  if (match?.[1]) out.bearer = match[1];
  return out;
}

export interface AuthenticatorOptions {
  /** Active key id for a secret, or null (e.g. CachedKeyLookup.lookup). */
  lookupKey: (key: string) => Promise<string | null>;
  /** When set, bearer tokens shaped like JWTs are verified as HS256 JWTs. */
  jwt?: JwtSettings;
}

/** Turns credentials into a principal; null when none are valid. */
export class Authenticator {
  constructor(private readonly options: AuthenticatorOptions) {}

  async authenticate(credentials: Credentials): Promise<Principal | null> {
    const { bearer, apiKey } = credentials;
    if (bearer && this.options.jwt && looksLikeJwt(bearer)) {
      const claims = verifyJwt(bearer, this.options.jwt);
      return claims ? { kind: 'jwt', subject: typeof claims.sub === 'string' ? claims.sub : 'unknown' } : null;
    }
    const key = apiKey ?? bearer;
    if (!key) return null;
    const id = await this.options.lookupKey(key);
    return id ? { kind: 'api-key', id } : null;
  }
}

/**
 * Which routes are public: patterns are route URLs as registered (`/api/index/latest`,
 * `/api/index/constituents/:symbol/history`) or prefixes ending in `*` (`/api/index/*`).
 */
export class PublicRoutes {
  private readonly exact = new Set<string>();
  private readonly prefixes: string[] = [];

  constructor(patterns: readonly string[]) {
    for (const p of patterns) {
      if (p.endsWith('*')) this.prefixes.push(p.slice(0, -1));
      else this.exact.add(p);
    }
  }

  isPublic(route: string): boolean {
    return this.exact.has(route) || this.prefixes.some((p) => route.startsWith(p));
  }
}
