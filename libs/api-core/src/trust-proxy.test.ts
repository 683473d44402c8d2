import { clientAddress, parseTrustProxy } from './trust-proxy';

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

describe('clientAddress', () => {
  const ingress = '10.42.0.15';

  it('is the socket address when no proxy is trusted', () => {
    expect(clientAddress(ingress, '203.0.113.9', false)).toBe(ingress);
  });

  it('is the entry the trusted ingress appended, whatever the client sent before it', () => {
    expect(clientAddress(ingress, '198.51.100.1, 203.0.113.9', 1)).toBe('203.0.113.9');
    expect(clientAddress(ingress, '198.51.100.1, 203.0.113.9', '10.42.0.0/16')).toBe('203.0.113.9');
    expect(clientAddress(`::ffff:${ingress}`, '203.0.113.9', '10.42.0.0/16')).toBe('203.0.113.9');
  });

  it('stops at an untrusted peer and without X-Forwarded-For', () => {
    expect(clientAddress('203.0.113.50', '198.51.100.1', '10.42.0.0/16')).toBe('203.0.113.50');
    expect(clientAddress(ingress, undefined, 1)).toBe(ingress);
  });
});
