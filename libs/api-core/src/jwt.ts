import { createHmac, timingSafeEqual } from 'node:crypto';

export interface JwtSettings {
  /** HS256 shared secret. */
  secret: string;
  issuer?: string;
  audience?: string;
  /** Tolerated clock difference, seconds. */
  clockSkewSeconds?: number;
}

export interface JwtClaims {
  sub?: string;
  iss?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  [claim: string]: unknown;
}

const decodePart = (part: string): unknown => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/** True when a bearer token has the shape of a JWT (three base64url parts). */
export const looksLikeJwt = (token: string): boolean => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);

/**
 * Verifies an HS256 JWT (signature, `exp`, `nbf`, and `iss`/`aud` when configured); returns its
 * claims, or null for any invalid token. Only HS256 is accepted (no `alg: none` confusion).
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
    if (typeof claims.exp === 'number' && nowSeconds > claims.exp + skew) return null;
    if (typeof claims.nbf === 'number' && nowSeconds < claims.nbf - skew) return null;
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
