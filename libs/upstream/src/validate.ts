// The methodology's invalid-input rules (SYI-v1 §7), applied to every record a mapper produces, so a
// bad record never reaches a topic: it is reported with a reason instead.
import {
  type CcOrderbookRecord,
  type CcPriceRecord,
  type DlApyRecord,
  type ExMktcapRecord,
  type TradTbillRecord,
} from './records';
import { type PythPrice } from '@stableyield/schemas';

type Problem = string | null;

/**
 * Finite is not enough: a pool reporting `tvlUsd` 1e308 overflows the TVL-weighted mean to
 * Infinity/NaN. These bounds are far outside anything real (the largest stablecoin is < 2e11 USD,
 * a yield above 10 000 % is an upstream error) and far inside float range.
 */
export const PLAUSIBLE = {
  /** TVL, market cap, volume, order book notional. */
  maxUsd: 1e13,
  /** Any price of a listed asset, USD. */
  maxPrice: 1e9,
  /** APY fields, percent. */
  minApyPercent: -100,
  maxApyPercent: 10_000,
  /** A T-bill rate, percent. */
  minRatePercent: -20,
  maxRatePercent: 100,
} as const;

function atMost(field: string, v: number, max: number): Problem {
  return v <= max ? null : `${field} ${v} is implausible (above ${max})`;
}

function apyPercent(field: string, v: number | null): Problem {
  if (v === null) return null;
  if (!isFiniteNumber(v)) return `${field} must be null or a finite number, got ${String(v)}`;
  return v >= PLAUSIBLE.minApyPercent && v <= PLAUSIBLE.maxApyPercent
    ? null
    : `${field} ${v} is implausible (outside ${PLAUSIBLE.minApyPercent}..${PLAUSIBLE.maxApyPercent} %)`;
}

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function positivePrice(field: string, v: unknown): Problem {
  if (!(isFiniteNumber(v) && v > 0)) return `${field} must be a finite number > 0, got ${String(v)}`;
  return atMost(field, v, PLAUSIBLE.maxPrice);
}

function usdAmount(field: string, v: unknown): Problem {
  return nonNegative(field, v) ?? atMost(field, v as number, PLAUSIBLE.maxUsd);
}

function nonNegative(field: string, v: unknown): Problem {
  return isFiniteNumber(v) && v >= 0 ? null : `${field} must be a finite number >= 0, got ${String(v)}`;
}

function timestamp(v: unknown): Problem {
  return isFiniteNumber(v) && Number.isInteger(v) && v >= 0
    ? null
    : `ts must be a non-negative integer (ms), got ${String(v)}`;
}

function identity(field: string, v: unknown): Problem {
  return typeof v === 'string' && v !== '' ? null : `${field} is missing`;
}

function first(...problems: Problem[]): Problem {
  return problems.find((p) => p !== null) ?? null;
}

function levels(side: string, rows: unknown): Problem {
  if (!Array.isArray(rows)) return `${side} must be a list of [price, qty]`;
  for (const [i, level] of rows.entries()) {
    if (!Array.isArray(level) || level.length !== 2) return `${side}[${i}] is not [price, qty]`;
    const problem =
      first(positivePrice(`${side}[${i}].price`, level[0]), nonNegative(`${side}[${i}].qty`, level[1])) ??
      atMost(`${side}[${i}] notional`, (level[0] as number) * (level[1] as number), PLAUSIBLE.maxUsd);
    if (problem !== null) return problem;
  }
  return null;
}

export function checkCcPrice(r: CcPriceRecord): Problem {
  return first(
    identity('symbol', r.symbol),
    identity('venue', r.venue),
    r.venue === 'pyth' ? 'venue "pyth" is reserved for pyth.prices' : null,
    positivePrice('price', r.price),
    r.volume24hUsd === undefined ? null : usdAmount('volume24hUsd', r.volume24hUsd),
    timestamp(r.ts),
  );
}

export function checkPythPrice(r: PythPrice): Problem {
  return first(
    identity('symbol', r.symbol),
    identity('feedId', r.feedId),
    positivePrice('price', r.price),
    nonNegative('conf', r.conf),
    timestamp(r.ts),
  );
}

export function checkOrderbook(r: CcOrderbookRecord): Problem {
  return first(
    identity('symbol', r.symbol),
    identity('venue', r.venue),
    levels('bids', r.bids),
    levels('asks', r.asks),
    timestamp(r.ts),
  );
}

export function checkApy(r: DlApyRecord): Problem {
  return first(
    identity('pool', r.pool),
    identity('symbol', r.symbol),
    usdAmount('tvlUsd', r.tvlUsd),
    apyPercent('apyBase', r.apyBase),
    apyPercent('apyReward', r.apyReward),
    apyPercent('apy', r.apy),
    timestamp(r.ts),
  );
}

export function checkMktcap(r: ExMktcapRecord): Problem {
  return first(identity('symbol', r.symbol), usdAmount('marketCapUsd', r.marketCapUsd), timestamp(r.ts));
}

export function checkTbill(r: TradTbillRecord): Problem {
  return first(
    identity('series', r.series),
    !isFiniteNumber(r.rate)
      ? `rate must be a finite number, got ${String(r.rate)}`
      : r.rate < PLAUSIBLE.minRatePercent || r.rate > PLAUSIBLE.maxRatePercent
        ? `rate ${r.rate} is implausible (outside ${PLAUSIBLE.minRatePercent}..${PLAUSIBLE.maxRatePercent} %)`
        : null,
    timestamp(r.ts),
  );
}

/** Runs a check over records; the first problem names the record by its label. */
export function firstInvalid<T>(
  records: readonly T[],
  check: (r: T) => Problem,
  label: (r: T) => string,
): string | null {
  for (const record of records) {
    const problem = check(record);
    if (problem !== null) return `${label(record)}: ${problem}`;
  }
  return null;
}
