import { errorSummary, maskUrls } from './error-summary';

// Placeholders shaped like a provider URL: a key in the path, credentials in the userinfo.
const PATH_SECRET = 'path-secret-placeholder';
const USER = 'user-placeholder';
const PASSWORD = 'password-placeholder';
const rpcUrl = `https://${USER}:${PASSWORD}@rpc.example.invalid:8443/v2/${PATH_SECRET}?token=query-secret-placeholder`;

describe('maskUrls', () => {
  it('keeps scheme, host and port and drops userinfo, path and query', () => {
    expect(maskUrls(`request to ${rpcUrl} failed`)).toBe('request to https://rpc.example.invalid:8443/… failed');
  });

  it('masks every URL of a text, ws and http alike', () => {
    const text = maskUrls(`tried wss://a.invalid/ws/${PATH_SECRET} then http://${USER}@b.invalid`);
    expect(text).toBe('tried wss://a.invalid/… then http://b.invalid');
  });

  it('leaves text without URLs unchanged', () => {
    expect(maskUrls('nonce too low')).toBe('nonce too low');
  });
});

describe('errorSummary', () => {
  it('summarises a viem-style error by its short message, without the URL lines', () => {
    const err = Object.assign(new Error(`HTTP request failed.\n\nStatus: 401\nURL: ${rpcUrl}\nRequest body: {}`), {
      shortMessage: 'HTTP request failed.',
    });
    expect(errorSummary(err)).toBe('HTTP request failed.');
  });

  it('masks a URL that is in the first line of the message', () => {
    const summary = errorSummary(new Error(`fetch ${rpcUrl} failed: ECONNREFUSED`));
    for (const secret of [PATH_SECRET, USER, PASSWORD, 'query-secret-placeholder'])
      expect(summary).not.toContain(secret);
    expect(summary).toBe('fetch https://rpc.example.invalid:8443/… failed: ECONNREFUSED');
  });

  it('bounds the length', () => {
    expect(errorSummary(new Error('x'.repeat(1000)), 50)).toHaveLength(50);
  });

  it('summarises non-errors and errors without a message', () => {
    expect(errorSummary('plain text\nsecond line')).toBe('plain text');
    expect(errorSummary(new TypeError(''))).toBe('TypeError');
  });
});
