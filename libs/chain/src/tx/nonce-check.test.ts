import { checkInFlight, type InFlightTx } from './nonce-manager';

const at = (nonce: number): InFlightTx => ({
  nonce,
  hashes: ['0x01'],
  fees: { maxFeePerGas: 1n, maxPriorityFeePerGas: 1n },
  firstSentAtMs: 0,
});

describe('checkInFlight', () => {
  it.each([
    ['nothing in flight', undefined, 3, 3, 'none'],
    ['our tx in the pool at the next nonce', at(3), 3, 4, 'waiting'],
    ['behind transactions of another sender on the key', at(4), 3, 4, 'waiting'],
    ['the chain passed our nonce', at(2), 3, 3, 'mined'],
    ['at the next nonce but not in the pool (dropped)', at(3), 3, 3, 'lost'],
    ['beyond anything minable: a reorg undid nonce 0', at(1), 0, 0, 'gap'],
    ['a restored record far ahead of a reset chain', at(40), 0, 0, 'gap'],
  ] as const)('%s → %s', (_what, inFlight, latest, pending, expected) => {
    expect(checkInFlight(inFlight, latest, pending)).toBe(expected);
  });
});
