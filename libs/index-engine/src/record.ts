// The index record (§4): what `syi.calculated` carries and the replay command prints.

import type { IndexMode } from './measures';

export interface ConstituentRecord {
  readonly symbol: string;
  readonly price: number;
  readonly devBps: number;
  readonly marketCapUsd: number;
  readonly apyEff: number;
  readonly pegScore: number;
  readonly sigmaBps: number;
  readonly liquidityScore: number;
  readonly counterpartyScore: number;
  readonly depthUsd: number;
  readonly volume24hUsd: number;
  readonly ray: number;
  readonly weight: number;
}

export interface IndexRecord {
  readonly ts: number;
  readonly value: number;
  readonly tbillRate: number | null;
  readonly rpl: number | null;
  readonly mode: IndexMode;
  readonly eligible: number;
  /** "1" only when computed with METHODOLOGY_V1 */
  readonly methodologyVersion: string;
  /** one per eligible constituent, in symbol order */
  readonly constituents: readonly ConstituentRecord[];
}

/**
 * Paths of the numbers in a record that are NaN or ±Infinity (JSON would write them as null, and
 * every consumer would have to guess). Empty for a record fit to publish.
 */
export function nonFiniteFields(record: IndexRecord): string[] {
  const bad: string[] = [];
  const check = (path: string, v: number | null): void => {
    if (v !== null && !Number.isFinite(v)) bad.push(path);
  };
  check('value', record.value);
  check('tbillRate', record.tbillRate);
  check('rpl', record.rpl);
  record.constituents.forEach((c, i) => {
    for (const [field, v] of Object.entries(c)) if (typeof v === 'number') check(`constituents[${i}].${field}`, v);
  });
  return bad;
}
