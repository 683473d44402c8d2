import { AuditorStatusSource, NOT_AVAILABLE } from './independent-check';

const status = {
  checkedThrough: 1_767_225_600_000,
  matched: 120,
  mismatched: 1,
  pending: 0,
  lagSeconds: 2,
  inputsNotUsed: {},
  lastMismatch: { ts: 1_767_225_500_000 },
};
const answer = (body: unknown, ok = true) => Promise.resolve({ ok, json: () => Promise.resolve(body) } as Response);

describe('AuditorStatusSource', () => {
  it('reports what the auditor found', async () => {
    const fetch = jest.fn((_url: string) => answer(status));
    const source = new AuditorStatusSource({
      url: 'http://auditor:9213/',
      fetch: fetch as unknown as typeof globalThis.fetch,
    });
    expect(await source.get()).toEqual({
      available: true,
      verifiedThrough: 1_767_225_600_000,
      matched: 120,
      mismatched: 1,
      mismatchSeen: true,
      lastMismatchTs: 1_767_225_500_000,
    });
    expect(fetch.mock.calls[0]?.[0]).toBe('http://auditor:9213/status');
  });

  it('asks at most once per cache period', async () => {
    let now = 0;
    const fetch = jest.fn(() => answer(status));
    const source = new AuditorStatusSource({ url: 'http://a', cacheMs: 1000, now: () => now, fetch: fetch });
    await Promise.all([source.get(), source.get()]);
    now = 999;
    await source.get();
    expect(fetch).toHaveBeenCalledTimes(1);
    now = 1000;
    await source.get();
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it(
    'says "not available" without an auditor, on an error status, a body of another shape, or ' + 'a failed request',
    async () => {
      expect(await new AuditorStatusSource({ url: undefined }).get()).toEqual(NOT_AVAILABLE);
      const of = (f: () => Promise<Response>) => new AuditorStatusSource({ url: 'http://a', fetch: f }).get();
      expect(await of(() => answer(status, false))).toEqual(NOT_AVAILABLE);
      expect(await of(() => answer({ matched: 'many' }))).toEqual(NOT_AVAILABLE);
      expect(await of(() => Promise.reject(new Error('ECONNREFUSED')))).toEqual(NOT_AVAILABLE);
    },
  );
});
