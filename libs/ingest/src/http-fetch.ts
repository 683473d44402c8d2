// One upstream call with a timeout, retries with back-off for transient failures (network, timeout,
// 5xx), and rate limits waited out (429/418 with Retry-After) instead of hammering the API.
import { backoffDelay, parseRetryAfter, sleep, type BackoffOptions } from './backoff';
import { BodyTooLargeError, readTextCapped } from './capped-body';

export interface HttpRequest {
  url: string;
  headers?: Readonly<Record<string, string>>;
  timeoutMs: number;
  /** Largest body read (default DEFAULT_MAX_BODY_BYTES); a larger one fails the call without retry. */
  maxBodyBytes?: number;
}

export interface RetryPolicy {
  /** Further attempts after the first. */
  retries: number;
  backoff: BackoffOptions;
  /** A Retry-After longer than this is not waited out inline: the call ends rate-limited. */
  maxRetryAfterMs: number;
}

export type FetchOutcome =
  | { kind: 'response'; status: number; text: string; headers: Headers; attempts: number }
  | { kind: 'rate-limited'; status: number; retryAfterMs: number; attempts: number }
  | { kind: 'failed'; error: string; status?: number; attempts: number };

export interface FetchDeps {
  fetch?: typeof fetch;
  random?: () => number;
  now?: () => number;
  /** Aborts waits and requests (shutdown). */
  signal?: AbortSignal;
  /** Called on every 429/418 answer (metrics). */
  onRateLimited?: (retryAfterMs: number) => void;
}

const RATE_LIMITED = new Set([429, 418]);

function retryable(status: number): boolean {
  return status >= 500 || status === 408;
}

export async function fetchWithRetry(
  request: HttpRequest,
  policy: RetryPolicy,
  deps: FetchDeps = {},
): Promise<FetchOutcome> {
  const fetchFn = deps.fetch ?? fetch;
  const random = deps.random ?? Math.random;
  const now = deps.now ?? Date.now;
  let lastError = 'no attempt';
  let lastStatus: number | undefined;
  for (let attempt = 0; attempt <= policy.retries; attempt++) {
    if (deps.signal?.aborted === true) return { kind: 'failed', error: 'aborted', attempts: attempt };
    let wait = backoffDelay(attempt, policy.backoff, random);
    try {
      const signals = [AbortSignal.timeout(request.timeoutMs), ...(deps.signal ? [deps.signal] : [])];
      const response = await fetchFn(request.url, {
        headers: { ...request.headers },
        signal: AbortSignal.any(signals),
      });
      const text = await readTextCapped(response, request.maxBodyBytes);
      if (RATE_LIMITED.has(response.status)) {
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now()) ?? wait;
        deps.onRateLimited?.(retryAfterMs);
        if (retryAfterMs > policy.maxRetryAfterMs || attempt === policy.retries) {
          return { kind: 'rate-limited', status: response.status, retryAfterMs, attempts: attempt + 1 };
        }
        wait = retryAfterMs;
        lastError = `HTTP ${response.status}`;
      } else if (retryable(response.status)) {
        lastError = `HTTP ${response.status}: ${text.slice(0, 200)}`;
        lastStatus = response.status;
      } else {
        return { kind: 'response', status: response.status, text, headers: response.headers, attempts: attempt + 1 };
      }
    } catch (err) {
      // Asking again would fetch the same oversized body.
      if (err instanceof BodyTooLargeError) return { kind: 'failed', error: err.message, attempts: attempt + 1 };
      const e = err as Error;
      lastError = e.name === 'TimeoutError' ? `timeout after ${request.timeoutMs} ms` : `${e.name}: ${e.message}`;
      lastStatus = undefined;
    }
    if (attempt < policy.retries) await sleep(wait, deps.signal);
  }
  return {
    kind: 'failed',
    error: lastError,
    ...(lastStatus === undefined ? {} : { status: lastStatus }),
    attempts: policy.retries + 1,
  };
}
