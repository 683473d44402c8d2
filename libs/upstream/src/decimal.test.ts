import { scaleInteger, scaleIntegerString } from './decimal';

describe('scaleIntegerString', () => {
  it.each([
    ['99985000', -8, '0.99985'],
    ['100031861', -8, '1.00031861'],
    ['10753049828641', -8, '107530.49828641'],
    ['0', -8, '0'],
    ['5', -3, '0.005'],
    ['-1234', -2, '-12.34'],
    ['-5', -1, '-0.5'],
    ['12', 3, '12000'],
    ['9223372036854775807', -8, '92233720368.54775807'],
  ])('%s × 10^%d = %s', (integer, expo, expected) => {
    expect(scaleIntegerString(integer, expo)).toBe(expected);
  });

  it('gives the double nearest to the exact decimal', () => {
    expect(scaleInteger('99985000', -8)).toBe(0.99985);
    expect(scaleInteger('3274698', -3)).toBe(3274.698);
    // Division by 1e8 in floating point is not always the nearest double; the decimal route is.
    expect(scaleInteger('9223372036854775807', -8)).toBe(Number('92233720368.54775807'));
  });

  it('rejects non-integers', () => {
    expect(() => scaleIntegerString('1.5', -8)).toThrow('not an integer string');
    expect(() => scaleIntegerString('', -8)).toThrow('not an integer string');
    expect(() => scaleIntegerString('1e5', -8)).toThrow('not an integer string');
  });
});
