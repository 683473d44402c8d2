import { fetchWithRetry, type RetryPolicy } from './http-fetch';

const policy: RetryPolicy = { retries: 2, backoff: { initialMs: 10, maxMs: 100, jitter: 0 }, maxRetryAfterMs: 5_000 };

function scripted(answers: (() => Response | Promise<Response>)[]) {
  const calls: number[] = [];
  const fetchFn: typeof fetch = () => {
    calls.push(Date.now());
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)]!;
    return Promise.resolve(answer());
  };
  return { fetchFn, calls };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('fetchWithRetry', () => {
  it('returns the first non-retryable answer', async () => {
    const { fetchFn, calls } = scripted([() => new Response('{"a":1}', { status: 200 })]);
    const outcome = await fetchWithRetry({ url: 'http://x', timeoutMs: 100 }, policy, { fetch: fetchFn });
    expect(outcome).toMatchObject({ kind: 'response', status: 200, text: '{"a":1}', attempts: 1 });
    expect(calls).toHaveLength(1);
  });

  it('retries 5xx and network errors with back-off, then succeeds', async () => {
    const { fetchFn, calls } = scripted([
      () => new Response('down', { status: 503 }),
      () => Promise.reject(new TypeError('fetch failed')),
      () => new Response('ok', { status: 200 }),
    ]);
    const pending = fetchWithRetry({ url: 'http://x', timeoutMs: 100 }, policy, { fetch: fetchFn });
    await jest.advanceTimersByTimeAsync(10 + 20);
    expect(await pending).toMatchObject({ kind: 'response', status: 200, attempts: 3 });
    expect(calls[1]! - calls[0]!).toBe(10);
    expect(calls[2]! - calls[1]!).toBe(20);
  });

  it('gives up after the retries with the last error', async () => {
    const { fetchFn } = scripted([() => new Response('down', { status: 502 })]);
    const pending = fetchWithRetry({ url: 'http://x', timeoutMs: 100 }, policy, { fetch: fetchFn });
    await jest.advanceTimersByTimeAsync(100);
    expect(await pending).toEqual({ kind: 'failed', error: 'HTTP 502: down', status: 502, attempts: 3 });
  });

  it('waits out a 429 for its Retry-After, and counts it', async () => {
    const limited: number[] = [];
    const { fetchFn, calls } = scripted([
      () => new Response('', { status: 429, headers: { 'retry-after': '2' } }),
      () => new Response('ok', { status: 200 }),
    ]);
    const pending = fetchWithRetry({ url: 'http://x', timeoutMs: 100 }, policy, {
      fetch: fetchFn,
      onRateLimited: (ms) => limited.push(ms),
    });
    await jest.advanceTimersByTimeAsync(1999);
    expect(calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(await pending).toMatchObject({ kind: 'response', status: 200 });
    expect(limited).toEqual([2000]);
  });

  it('ends rate-limited when Retry-After is longer than it may wait inline', async () => {
    const { fetchFn, calls } = scripted([() => new Response('', { status: 429, headers: { 'retry-after': '120' } })]);
    expect(await fetchWithRetry({ url: 'http://x', timeoutMs: 100 }, policy, { fetch: fetchFn })).toEqual({
      kind: 'rate-limited',
      status: 429,
      retryAfterMs: 120_000,
      attempts: 1,
    });
    expect(calls).toHaveLength(1);
  });

  it('times out a hanging request', async () => {
    jest.useRealTimers();
    const hang: typeof fetch = (_url, init) =>
      new Promise((_resolve, reject) =>
        init!.signal!.addEventListener('abort', () => reject(init!.signal!.reason as Error)),
      );
    const outcome = await fetchWithRetry(
      { url: 'http://x', timeoutMs: 30 },
      { ...policy, retries: 0 },
      { fetch: hang },
    );
    expect(outcome).toEqual({ kind: 'failed', error: 'timeout after 30 ms', attempts: 1 });
  });

  it('refuses a body larger than maxBodyBytes without buffering it all, and does not retry', async () => {
    let pulled = 0;
    // An endless body: 64 KiB chunks for as long as someone reads.
    const endless = () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull: (controller) => {
            pulled++;
            controller.enqueue(new Uint8Array(65_536));
          },
        }),
        { status: 200 },
      );
    const { fetchFn, calls } = scripted([endless]);
    const outcome = await fetchWithRetry({ url: 'http://x', timeoutMs: 10_000, maxBodyBytes: 1_048_576 }, policy, {
      fetch: fetchFn,
    });
    expect(outcome).toEqual({ kind: 'failed', error: 'response body larger than 1048576 bytes', attempts: 1 });
    expect(calls).toHaveLength(1);
    expect(pulled).toBeLessThan(40);
  });

  it('refuses a declared Content-Length above the cap before reading', async () => {
    const { fetchFn } = scripted([
      () => new Response('x'.repeat(2_000), { status: 200, headers: { 'content-length': '2000' } }),
    ]);
    expect(
      await fetchWithRetry({ url: 'http://x', timeoutMs: 100, maxBodyBytes: 1_000 }, policy, { fetch: fetchFn }),
    ).toMatchObject({ kind: 'failed', error: 'response body larger than 1000 bytes' });
  });
});
