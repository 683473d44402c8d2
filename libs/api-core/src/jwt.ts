import { createHmac, timingSafeEqual } from 'node:crypto';

export interface JwtSettings {
  /** HS256 shared secret. */
  secret: string;
  issuer?: string;
  audience?: string;
  /** Tolerated clock difference, seconds. */
  clockSkewSeconds?: number;
  /**
   * Longest lifetime a token may claim, seconds (default one day): `exp` at most this far after
   * `iat` and after now. A leaked long-lived token would otherwise stay valid for years.
   */
  maxLifetimeSeconds?: number;
}

export const DEFAULT_JWT_MAX_LIFETIME_SECONDS = 86_400;

/** The JWT settings of an app's configuration, or undefined when JWTs are off (no secret). */
export function jwtSettingsOf(config: {
  JWT_SECRET?: string | undefined;
  JWT_ISSUER?: string | undefined;
  JWT_AUDIENCE?: string | undefined;
  JWT_MAX_LIFETIME_S?: number | undefined;
}): JwtSettings | undefined {
  if (!config.JWT_SECRET) return undefined;
  return {
    secret: config.JWT_SECRET,
    ...(config.JWT_ISSUER ? { issuer: config.JWT_ISSUER } : {}),
    ...(config.JWT_AUDIENCE ? { audience: config.JWT_AUDIENCE } : {}),
    ...(config.JWT_MAX_LIFETIME_S ? { maxLifetimeSeconds: config.JWT_MAX_LIFETIME_S } : {}),
  };
}

const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

export interface JwtClaims {
  sub?: string;
  iss?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  [claim: string]: unknown;
}

const decodePart = (part: string): unknown => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/** True when a bearer token has the shape of a JWT (three base64url parts). */
export const looksLikeJwt = (token: string): boolean => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);

/**
 * Verifies an HS256 JWT (signature, a numeric `exp` within the lifetime cap, `nbf`, and `iss`/`aud`
 * when configured); returns its claims, or null for any invalid token. Only HS256 is accepted
 * (no `alg: none` confusion); a token without `exp` is refused (it would never expire).
 */
export function verifyJwt(token: string, settings: JwtSettings, nowSeconds = Date.now() / 1000): JwtClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [header, payload, signature] = parts as [string, string, string];
  try {
    const h = decodePart(header) as { alg?: unknown; typ?: unknown };
    if (h.alg !== 'HS256') return null;
    const expected = createHmac('sha256', settings.secret).update(`${header}.${payload}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const claims = decodePart(payload) as JwtClaims;
    if (typeof claims !== 'object' || claims === null) return null;
    const skew = settings.clockSkewSeconds ?? 30;
    const maxLifetime = settings.maxLifetimeSeconds ?? DEFAULT_JWT_MAX_LIFETIME_SECONDS;
    if (!isTime(claims.exp) || nowSeconds > claims.exp + skew) return null;
    if (claims.exp - nowSeconds > maxLifetime + skew) return null;
    if (claims.iat !== undefined && (!isTime(claims.iat) || claims.exp - claims.iat > maxLifetime)) return null;
    if (claims.nbf !== undefined && (!isTime(claims.nbf) || nowSeconds < claims.nbf - skew)) return null;
    if (settings.issuer !== undefined && claims.iss !== settings.issuer) return null;
    if (settings.audience !== undefined) {
      const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (!audiences.includes(settings.audience)) return null;
    }
    return claims;
  } catch {
    return null;
  }
}

/** Signs an HS256 JWT (used by tests and by operators minting tokens). */
export function signJwt(claims: JwtClaims, secret: string): string {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}
