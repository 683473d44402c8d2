/** Fixtures for tests of the index feed (test code only). */
import type { SyiConstituent, SyiRecord } from '@stableyield/schemas';

export function constituent(symbol: string, overrides: Partial<SyiConstituent> = {}): SyiConstituent {
  return {
    symbol,
    weight: 0.5,
    ray: 4.2,
    apyEff: 5.1,
    pegScore: 0.99,
    liquidityScore: 0.8,
    counterpartyScore: 0.9,
    price: 1.0001,
    devBps: 1,
    sigmaBps: 1.5,
    marketCapUsd: 5e10,
    depthUsd: 2e6,
    volume24hUsd: 1e9,
    ...overrides,
  };
}

/** A plausible `syi.calculated` record; digests are placeholders unless given. */
export function syiRecord(overrides: Partial<SyiRecord> = {}): SyiRecord {
  return {
    ts: 1_767_226_020_000,
    value: 4.2,
    tbillRate: 3.88,
    rpl: 0.32,
    mode: 'normal',
    eligible: 2,
    constituents: [constituent('USDC', { weight: 0.55 }), constituent('USDT', { weight: 0.45, ray: 4.0 })],
    methodologyVersion: 'v1',
    inputsDigest: 'i'.repeat(64),
    prevDigest: null,
    digest: 'd'.repeat(64),
    ...overrides,
  };
}
