import { canonicalJSON, sha256Hex } from './canonical';

describe('canonicalJSON', () => {
  it('sorts keys by UTF-16 code units at every depth, drops undefined properties, keeps array order', () => {
    const value = {
      b: [3, 1.5, -0.25, { z: null, a: 'x', é: true, B: undefined }],
      a: { 'a-b': 1e21, aB: 1e-7, Ab: 0 },
      '': 'empty',
      é: '\u2028"',
    };
    expect(canonicalJSON(value)).toBe(
      '{"":"empty","a":{"Ab":0,"a-b":1e+21,"aB":1e-7},"b":[3,1.5,-0.25,{"a":"x","z":null,"é":true}],"é":"\u2028\\""}',
    );
  });

  it('writes undefined array elements as null and number arrays as the native encoder does', () => {
    expect(canonicalJSON([1, undefined, 'a'])).toBe('[1,null,"a"]');
    expect(canonicalJSON([0.1 + 0.2, 1 / 3, 123456789012345680000, 5e-324])).toBe(
      '[0.30000000000000004,0.3333333333333333,123456789012345680000,5e-324]',
    );
    expect(canonicalJSON([])).toBe('[]');
  });

  it('refuses what JSON cannot carry exactly', () => {
    expect(() => canonicalJSON(NaN)).toThrow(/NaN/);
    expect(() => canonicalJSON([1, Infinity])).toThrow(/Infinity/);
    expect(() => canonicalJSON({ a: 1n })).toThrow(/bigint/);
  });

  it('gives the digest of a fixed value (a change of encoding changes every digest of the chain)', () => {
    expect(
      sha256Hex(
        canonicalJSON({ ts: 1_700_000_000_000, value: 0.0431, constituents: [{ symbol: 'USDC', weight: 0.5 }] }),
      ),
    ).toBe(sha256Hex('{"constituents":[{"symbol":"USDC","weight":0.5}],"ts":1700000000000,"value":0.0431}'));
  });
});
