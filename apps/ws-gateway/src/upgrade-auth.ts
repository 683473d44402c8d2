// Authorization of a WebSocket upgrade with the api's RequestGuard: an API key (header or
// ?api_key=) or a JWT, and a budget of failed attempts per client address after which the key
// store is not asked. Upgrades are not rate limited otherwise (MAX_CONNECTIONS_PER_IP caps them).
import type { IncomingMessage } from 'node:http';
import { RequestGuard, type Authenticator } from '@stableyield/api-core';
import type { Refusal } from '@stableyield/live-feed';

const UNLIMITED = Number.MAX_SAFE_INTEGER;
const FAILURE_WINDOW_MS = 60_000;

export function upgradeAuthorizer(
  authenticator: Authenticator,
  authFailuresPerIp: number,
  now: () => number = Date.now,
): (req: IncomingMessage, clientIp: string) => Promise<true | Refusal> {
  const guard = new RequestGuard(
    authenticator,
    { perKey: UNLIMITED, perIp: UNLIMITED, authFailuresPerIp, windowMs: FAILURE_WINDOW_MS },
    now,
  );
  return async (req, clientIp) => {
    const query = new URL(req.url ?? '/', 'http://gateway').searchParams;
    try {
      await guard.admit({ ip: clientIp, headers: req.headers, query, isPublic: false });
      return true;
    } catch (err) {
      const refusal = err as { statusCode?: unknown; headers?: Record<string, string> };
      if (typeof refusal.statusCode !== 'number') throw err;
      return { status: refusal.statusCode, ...(refusal.headers ? { headers: refusal.headers } : {}) };
    }
  };
}
