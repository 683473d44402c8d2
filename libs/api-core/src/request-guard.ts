// Who may make a request, and how many: authentication and rate limits of one request, in an
// order that keeps guessing cheap for us and expensive for the guesser. A client IP that has
// used up its failed-authentication budget is refused before the key store is asked; a failed
// authentication counts against the IP twice (its request budget and its failure budget).
import { credentialsOf, type Authenticator, type Principal } from './auth';
import { HttpError } from './errors';
import { FixedWindowLimiter, type RateDecision } from './rate-limit';

type Headers = Record<string, string | string[] | undefined>;

export interface RateLimits {
  /** Requests per window per API key or JWT subject. */
  perKey: number;
  /** Requests per window per client IP without valid credentials. */
  perIp: number;
  /** Failed authentications per window per client IP; past it credentials are not checked (default 30). */
  authFailuresPerIp?: number;
  windowMs: number;
}

export interface GuardedRequest {
  ip: string;
  headers: Headers;
  /** `?api_key=` of a WebSocket upgrade (browsers cannot set headers there). */
  query?: URLSearchParams;
  /** Public routes serve anonymous requests; credentials, when sent, are still checked and counted. */
  isPublic: boolean;
}

export const DEFAULT_AUTH_FAILURES_PER_IP = 30;

export const UNAUTHORIZED_MESSAGE =
  'missing or invalid credentials: send an API key as x-api-key or Authorization: Bearer';

export class RequestGuard {
  private readonly perKey: FixedWindowLimiter | null;
  private readonly perIp: FixedWindowLimiter | null;
  private readonly authFailures: FixedWindowLimiter | null;

  constructor(
    private readonly authenticator: Authenticator,
    private readonly limits: RateLimits | null,
    now: () => number = Date.now,
  ) {
    this.perKey = limits ? new FixedWindowLimiter(limits.perKey, limits.windowMs, now) : null;
    this.perIp = limits ? new FixedWindowLimiter(limits.perIp, limits.windowMs, now) : null;
    this.authFailures = limits
      ? new FixedWindowLimiter(limits.authFailuresPerIp ?? DEFAULT_AUTH_FAILURES_PER_IP, limits.windowMs, now)
      : null;
  }

  /** The request's principal (null: anonymous on a public route); throws HttpError 401 or 429. */
  async admit(request: GuardedRequest): Promise<Principal | null> {
    const credentials = credentialsOf(request.headers, request.query);
    if (credentials.apiKey === undefined && credentials.bearer === undefined) {
      this.enforce(this.perIp?.take(request.ip));
      if (!request.isPublic) throw unauthorized();
      return null;
    }
    this.enforce(this.authFailures?.peek(request.ip), 'failed-authentication limit');
    const principal = await this.authenticator.authenticate(credentials);
    if (!principal) {
      this.authFailures?.take(request.ip);
      this.enforce(this.perIp?.take(request.ip));
      if (!request.isPublic) throw unauthorized();
      return null;
    }
    this.enforce(this.perKey?.take(principal.kind === 'api-key' ? `k:${principal.id}` : `j:${principal.subject}`));
    return principal;
  }

  private enforce(decision: RateDecision | undefined, what = 'rate limit'): void {
    if (!decision || decision.allowed) return;
    const windowS = (this.limits?.windowMs ?? 0) / 1000;
    throw new HttpError(
      429,
      `${what} of ${decision.limit} requests per ${windowS} s exceeded; retry after ${decision.resetSeconds} s`,
      {
        'retry-after': String(decision.resetSeconds),
        'ratelimit-limit': String(decision.limit),
        'ratelimit-remaining': '0',
        'ratelimit-reset': String(decision.resetSeconds),
      },
    );
  }
}

const unauthorized = (): HttpError => new HttpError(401, UNAUTHORIZED_MESSAGE, { 'www-authenticate': 'Bearer' });
