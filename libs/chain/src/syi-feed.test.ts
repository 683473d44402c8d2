import { syiFeedArtifact } from './deploy/syi-feed-artifact';
import { renderSyiFeedAbi } from './deploy/generate-syi-feed-abi';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { digestToBytes32, percentToAnswer, RPL_NONE, syiRoundOf } from './syi-feed';
import { syiFeedAbi } from './syi-feed-abi';

describe('SyiFeed ABI', () => {
  it(
    'the generated syi-feed-abi.ts is what contracts/SyiFeed.sol compiles to (regenerate: npx ' +
      'tsx libs/chain/src/deploy/generate-syi-feed-abi.ts)',
    () => {
      expect(readFileSync(join(__dirname, 'syi-feed-abi.ts'), 'utf8')).toBe(renderSyiFeedAbi());
      expect(syiFeedAbi).toEqual(syiFeedArtifact().abi);
    },
    60_000,
  );

  it('implements every AggregatorV3Interface function with its exact signature', () => {
    const fn = (name: string) => syiFeedAbi.find((e) => e.type === 'function' && e.name === name);
    expect(fn('decimals')).toMatchObject({ inputs: [], outputs: [{ type: 'uint8' }] });
    expect(fn('description')).toMatchObject({ inputs: [], outputs: [{ type: 'string' }] });
    expect(fn('version')).toMatchObject({ inputs: [], outputs: [{ type: 'uint256' }] });
    const round = [
      { type: 'uint80' },
      { type: 'int256' },
      { type: 'uint256' },
      { type: 'uint256' },
      { type: 'uint80' },
    ];
    expect(fn('getRoundData')).toMatchObject({ inputs: [{ type: 'uint80' }], outputs: round });
    expect(fn('latestRoundData')).toMatchObject({ inputs: [], outputs: round });
  });
});

describe('syiRoundOf', () => {
  const digest = 'ab'.repeat(32);
  it('scales percent by 10^8, T to seconds, digests to bytes32', () => {
    expect(
      syiRoundOf({ ts: 1_767_225_720_000, value: 2.81, rpl: -1.09, inputsDigest: 'CD'.repeat(32), digest }),
    ).toEqual({
      answer: 281_000_000n,
      rpl: -109_000_000n,
      updatedAt: 1_767_225_720n,
      inputsDigest: `0x${'cd'.repeat(32)}`,
      digest: `0x${digest}`,
    });
  });
  it('stores RPL_NONE for a record without a T-bill rate', () => {
    expect(syiRoundOf({ ts: 60_000, value: 1, rpl: null, inputsDigest: digest, digest }).rpl).toBe(RPL_NONE);
  });
  it('refuses what the contract could not represent faithfully', () => {
    expect(() => digestToBytes32('abc')).toThrow(/32-byte/);
    expect(() => syiRoundOf({ ts: 60_500, value: 1, rpl: null, inputsDigest: digest, digest })).toThrow(
      /whole seconds/,
    );
    expect(() => percentToAnswer(Number.NaN)).toThrow(/finite/);
  });
});
