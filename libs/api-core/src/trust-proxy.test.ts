import { parseTrustProxy } from './trust-proxy';

describe('parseTrustProxy', () => {
  it('reads off, hop counts and proxy CIDRs', () => {
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('0')).toBe(false);
    expect(parseTrustProxy('1')).toBe(1);
    expect(parseTrustProxy('10.0.0.0/8, 192.168.1.10,fd00::/8')).toBe('10.0.0.0/8,192.168.1.10,fd00::/8');
  });

  it('refuses true, which lets the client choose its address, and garbage', () => {
    expect(() => parseTrustProxy('true')).toThrow(/hop count/);
    expect(() => parseTrustProxy('10.0.0.0/40')).toThrow(/not an address or CIDR/);
    expect(() => parseTrustProxy('ingress')).toThrow(/not an address or CIDR/);
  });
});
