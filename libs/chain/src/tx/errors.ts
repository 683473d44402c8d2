// Classifies what an RPC or contract call failed with, so the submitter can act on each kind instead
// of crashing (a crash loop that re-sends transactions is the pusher bug of PR #652). Matching walks
// viem's error classes AND the message text of the whole cause chain, because RPC providers encode
// the same condition differently (e.g. "replacement transaction underpriced" as -32602, PR #3807).
import {
  BaseError,
  FeeCapTooLowError,
  HttpRequestError,
  InsufficientFundsError,
  LimitExceededRpcError,
  NonceTooLowError,
  SocketClosedError,
  TimeoutError,
  WebSocketRequestError,
} from 'viem';
import { revertErrorName } from '../pyth-contract';

export type TxErrorKind =
  | 'already-updated' // NoFreshUpdate / StaleRound: another keeper (or our own earlier tx) landed it; nothing to pay
  | 'already-known' // the node already has this exact signed tx: it was broadcast
  | 'underpriced' // fee too low, or a replacement bump too small: escalate
  | 'nonce-too-low' // the nonce was consumed: resynchronise
  | 'insufficient-funds' // wallet cannot pay value + gas: alert, do not retry in a loop
  | 'transient' // network, timeout, rate limit: retry with backoff
  | 'reverted' // the contract reverted for another reason
  | 'unknown';

const textRules: [TxErrorKind, RegExp][] = [
  ['already-known', /already known|known transaction|alreadyknown|already imported/i],
  ['insufficient-funds', /insufficient funds|doesn't have enough funds|insufficient balance/i],
  ['nonce-too-low', /nonce too low|nonce has already been used|invalid nonce|noncetoolow|nonce is too low/i],
  [
    'underpriced',
    new RegExp(
      [
        'underpriced',
        'fee too low',
        'max fee per gas less than block base fee',
        'feecaptoolow',
        'could not replace existing tx',
        'tip too low',
      ].join('|'),
      'i',
    ),
  ],
  [
    'transient',
    new RegExp(
      [
        'timeout',
        'timed out',
        'econnrefused',
        'econnreset',
        'socket',
        'fetch failed',
        'network',
        'rate limit',
        'too many requests',
        'header not found',
        '503',
        '502',
      ].join('|'),
      'i',
    ),
  ],
];

function chainText(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && depth < 10; depth++) {
    if (e instanceof Error) parts.push(e.message);
    if (e instanceof BaseError) parts.push(e.details ?? '', e.shortMessage);
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(' | ');
}

function hasInChain(err: unknown, ...classes: (abstract new (...args: never[]) => Error)[]): boolean {
  if (!(err instanceof BaseError)) return false;
  return err.walk((e) => classes.some((c) => e instanceof c)) !== null;
}

export function classifyTxError(err: unknown): TxErrorKind {
  const revert = revertErrorName(err);
  // NoFreshUpdate: Pyth already has these prices; StaleRound: the SYI feed already has this T or a newer one.
  if (revert === 'NoFreshUpdate' || revert === 'StaleRound') return 'already-updated';
  if (hasInChain(err, InsufficientFundsError)) return 'insufficient-funds';
  if (hasInChain(err, NonceTooLowError)) return 'nonce-too-low';
  if (hasInChain(err, FeeCapTooLowError)) return 'underpriced';
  const text = chainText(err);
  for (const [kind, pattern] of textRules) {
    if (kind !== 'transient' && pattern.test(text)) return kind;
  }
  if (revert !== undefined || /execution reverted|revert/i.test(text)) return 'reverted';
  if (
    hasInChain(err, HttpRequestError, TimeoutError, WebSocketRequestError, SocketClosedError, LimitExceededRpcError)
  ) {
    return 'transient';
  }
  const transient = textRules.find(([kind]) => kind === 'transient');
  if (transient && transient[1].test(text)) return 'transient';
  return 'unknown';
}

/** An error with its kind, thrown by the submitter for the caller to report (never a crash). */
export class ChainTxError extends Error {
  constructor(
    readonly kind: TxErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ChainTxError';
  }
}

/**
 * Retries `fn` on transient errors with exponential backoff (base × 2^n, ± 25 % jitter), at most
 * `attempts` times in total. Any other error is thrown at once.
 */
export async function withRetry<T>(
  fn: () => Promise<T>,
  opts: { attempts: number; baseDelayMs?: number; onRetry?: (err: unknown, attempt: number) => void },
): Promise<T> {
  const base = opts.baseDelayMs ?? 200;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= opts.attempts || classifyTxError(err) !== 'transient') throw err;
      opts.onRetry?.(err, attempt);
      const delay = base * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
