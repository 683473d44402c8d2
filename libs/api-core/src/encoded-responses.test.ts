import { BodyCache, encodeBody, FreshAnswers, matchesEtag } from './encoded-responses';

describe('matchesEtag', () => {
  const etag = encodeBody('{"a":1}').etag;
  it.each([
    [undefined, false],
    [etag, true],
    [`W/${etag}`, true],
    [`"x", ${etag}`, true],
    ['*', true],
    ['"x", W/"y"', false],
    [etag.slice(0, -2) + '"', false],
  ])('If-None-Match %s → %s', (header, expected) => {
    expect(matchesEtag(header, etag)).toBe(expected);
  });

  it('gives different bodies different ETags and the same body the same one', () => {
    expect(encodeBody('{"a":1}').etag).toBe(etag);
    expect(encodeBody('{"a":2}').etag).not.toBe(etag);
  });
});

describe('BodyCache', () => {
  it('gives a body only while its stamp is current, and drops the oldest past its byte budget', () => {
    const cache = new BodyCache<number>(10);
    cache.set('a', 1, encodeBody('aaaa'));
    cache.set('b', 1, encodeBody('bbbb'));
    expect(cache.get('a', (s) => s === 1)?.body.toString()).toBe('aaaa');
    expect(cache.get('a', (s) => s === 2)).toBeUndefined();
    cache.set('c', 1, encodeBody('cccc'));
    expect([cache.get('a', () => true), cache.get('c', () => true)?.body.toString(), cache.size]).toEqual([
      undefined,
      'cccc',
      2,
    ]);
    // A body larger than the budget is served but not kept.
    expect(cache.set('big', 1, encodeBody('x'.repeat(11))).body.length).toBe(11);
    expect(cache.get('big', () => true)).toBeUndefined();
  });
});

describe('FreshAnswers', () => {
  it('makes one answer for concurrent requests and makes it again once it is older than maxAgeMs', async () => {
    let clock = 0;
    let made = 0;
    let release: () => void = () => undefined;
    const answers = new FreshAnswers({ maxAgeMs: 1_000, maxBytes: 1_000, now: () => clock });
    const make = () => new Promise<string>((resolve) => (release = () => resolve(`{"n":${++made}}`)));
    const waiting = Promise.all([answers.answer('k', make), answers.answer('k', make)]);
    release();
    const [a, b] = await waiting;
    expect([a.body.toString(), b]).toEqual(['{"n":1}', a]);
    clock = 999;
    expect((await answers.answer('k', make)).body.toString()).toBe('{"n":1}');
    clock = 1_000;
    const again = answers.answer('k', make);
    release();
    expect((await again).body.toString()).toBe('{"n":2}');
  });

  it('reads the next answer in the background from half its age on, serving the current one meanwhile', async () => {
    let clock = 0;
    let made = 0;
    const answers = new FreshAnswers({ maxAgeMs: 1_000, maxBytes: 1_000, now: () => clock });
    const make = () => Promise.resolve(`{"n":${++made}}`);
    await answers.answer('k', make);
    clock = 499;
    expect((await answers.answer('k', make)).body.toString()).toBe('{"n":1}');
    expect(made).toBe(1);
    clock = 500;
    const [a, b] = await Promise.all([answers.answer('k', make), answers.answer('k', make)]);
    expect([a.body.toString(), b.body.toString()]).toEqual(['{"n":1}', '{"n":1}']);
    expect(made).toBe(2); // one read ahead, not one per request
    await new Promise((resolve) => setImmediate(resolve));
    clock = 900; // the answer read at 500 has replaced the first, and is young enough to read nothing
    expect((await answers.answer('k', make)).body.toString()).toBe('{"n":2}');
    expect(made).toBe(2);
  });

  it('prefetches an answer not held, and none already held', async () => {
    let made = 0;
    const answers = new FreshAnswers({ maxAgeMs: 1_000, maxBytes: 1_000, now: () => 0 });
    const make = () => Promise.resolve(String(++made));
    answers.prefetch('next', make);
    answers.prefetch('next', make);
    expect((await answers.answer('next', make)).body.toString()).toBe('1');
    answers.prefetch('next', make);
    expect(made).toBe(1);
  });

  it('keeps no failed answer', async () => {
    const answers = new FreshAnswers({ maxAgeMs: 1_000, maxBytes: 1_000, now: () => 0 });
    await expect(answers.answer('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect((await answers.answer('k', () => Promise.resolve('{}'))).body.toString()).toBe('{}');
  });

  it('reads every time with maxAgeMs 0', async () => {
    let made = 0;
    const answers = new FreshAnswers({ maxAgeMs: 0, maxBytes: 1_000, now: () => 0 });
    await answers.answer('k', () => Promise.resolve(String(++made)));
    await answers.answer('k', () => Promise.resolve(String(++made)));
    expect(made).toBe(2);
  });
});
