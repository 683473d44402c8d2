// Exact scaling of Pyth's integer strings by a power of ten. Hermes sends i64/u64 as strings "to avoid
// precision loss"; we keep the exact decimal as a string and convert once, so the double is the nearest
// one to the true value (e.g. "99985000" × 10^-8 → "0.99985" → 0.99985).

const INTEGER = /^-?\d+$/;

export function isIntegerString(value: string): boolean {
  return INTEGER.test(value);
}

/** The exact decimal string of `integer × 10^expo`, without trailing zeros after the point. */
export function scaleIntegerString(integer: string, expo: number): string {
  if (!INTEGER.test(integer)) throw new Error(`not an integer string: ${JSON.stringify(integer)}`);
  if (!Number.isInteger(expo)) throw new Error(`expo is not an integer: ${expo}`);
  const value = BigInt(integer);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString();
  if (expo >= 0) return (value * 10n ** BigInt(expo)).toString();
  const places = -expo;
  const padded = digits.padStart(places + 1, '0');
  const whole = padded.slice(0, padded.length - places);
  const fraction = padded.slice(padded.length - places).replace(/0+$/, '');
  const body = fraction === '' ? whole : `${whole}.${fraction}`;
  return negative && body !== '0' ? `-${body}` : body;
}

export function scaleInteger(integer: string, expo: number): number {
  return Number(scaleIntegerString(integer, expo));
}
