// A registry outage must not turn good records into dead letters: readers retry a decode that
// failed for want of the registry, with back-off, in place (the partition does not move on).
import { RegistryUnavailableError } from './serde';

export interface RegistryRetryOptions {
  initialMs?: number;
  maxMs?: number;
  /** before each wait: logs, health, the consumer's heartbeat */
  onRetry?: (err: RegistryUnavailableError, attempt: number, delayMs: number) => void | Promise<void>;
  /** true: give up (the error is thrown), e.g. the reader is stopping */
  stopped?: () => boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `decode` until it does not fail with RegistryUnavailableError; other errors are thrown at once. */
export async function retryWhileRegistryUnavailable<T>(
  decode: () => Promise<T>,
  options: RegistryRetryOptions = {},
): Promise<T> {
  const initialMs = options.initialMs ?? 200;
  const maxMs = options.maxMs ?? 5_000;
  for (let attempt = 0; ; attempt++) {
    try {
      return await decode();
    } catch (err) {
      if (!(err instanceof RegistryUnavailableError) || options.stopped?.()) throw err;
      const delayMs = Math.min(maxMs, initialMs * 2 ** attempt);
      await options.onRetry?.(err, attempt, delayMs);
      await sleep(delayMs);
    }
  }
}
