// The incremental index state: accepts input events in non-decreasing event time and answers
// "the index record at T" for any T at or after the last event. Memory is bounded: the latest
// record per identity key (order books reduced to their depth), and per constituent a ring of
// one peg sample per minute. The replay command and the stream processors share it.

import { PYTH_VENUE, type IndexEvent } from './events';
import {
  bookDepthUsd,
  counterpartyScore,
  deviationBps,
  effectiveApy,
  kappaOf,
  liquidityScore,
  medianInPlace,
  pegStatsFromMoments,
  riskAdjustedYield,
  type IndexMode,
  type PoolCandidate,
} from './measures';
import { assertUsableParams, compareCodeUnits, METHODOLOGY_V1, methodologyVersionOf, type MethodologyParams } from './params';
import { addSample, PegWindow } from './peg-window';
import type { ConstituentRecord, IndexRecord } from './record';
import { capWeights, indexValue, type WeightInput } from './weights';

interface VenueRecord {
  ts: number;
  price: number;
  /** undefined: the record has no volume */
  volume: number | undefined;
}

interface BookRecord {
  ts: number;
  /** undefined: a side was empty, the book does not count */
  depth: number | undefined;
}

interface PoolRecord {
  ts: number;
  symbol: string;
  tvlUsd: number;
  apyBase: number | null;
}

interface Timed {
  ts: number;
  value: number;
}

class ConstituentState {
  readonly venues = new Map<string, VenueRecord>();
  readonly books = new Map<string, BookRecord>();
  marketCap: Timed | undefined;
  readonly peg: PegWindow;

  constructor(
    readonly symbol: string,
    params: MethodologyParams,
  ) {
    this.peg = new PegWindow(params.peg.sampleIntervalMs, params.peg.windowMs / params.peg.sampleIntervalMs, params.peg.huberDeltaBps);
  }
}

/** Checkpoint of an IndexState: plain JSON. */
export interface IndexStateSnapshot {
  readonly format: 'syi-index-state/1';
  readonly methodologyVersion: string;
  readonly lastTs: number | null;
  readonly sampledThrough: number | null;
  readonly constituents: readonly {
    readonly symbol: string;
    /** [venue, ts, price, volume | null] */
    readonly venues: readonly (readonly [string, number, number, number | null])[];
    /** [venue, ts, depth | null] */
    readonly books: readonly (readonly [string, number, number | null])[];
    /** [ts, marketCapUsd] */
    readonly marketCap: readonly [number, number] | null;
    readonly pegRing: readonly (number | null)[];
  }[];
  /** [pool, ts, symbol, tvlUsd, apyBase] */
  readonly pools: readonly (readonly [string, number, string, number, number | null])[];
  /** [ts, rate] */
  readonly tbill: readonly [number, number] | null;
}

export class IndexState {
  readonly methodologyVersion: string;
  private readonly constituents: ConstituentState[];
  private readonly bySymbol = new Map<string, ConstituentState>();
  private readonly pools = new Map<string, PoolRecord>();
  private tbill: Timed | undefined;
  private lastTs: number | null = null;
  /** the last minute boundary whose peg samples are stored (all boundaries < lastTs are) */
  private sampledThrough: number | null = null;
  private readonly step: number;
  private readonly scratch: number[] = [];

  constructor(private readonly params: MethodologyParams = METHODOLOGY_V1) {
    assertUsableParams(params);
    this.methodologyVersion = methodologyVersionOf(params);
    this.step = params.peg.sampleIntervalMs;
    this.constituents = [...params.constituents].sort(compareCodeUnits).map((s) => new ConstituentState(s, params));
    for (const c of this.constituents) this.bySymbol.set(c.symbol, c);
  }

  /** Event time of the last applied event (null before the first). */
  get lastEventTs(): number | null {
    return this.lastTs;
  }

  /** Applies one validated event. Events must come in non-decreasing `ts`; equal `ts` in arrival order. */
  apply(event: IndexEvent): void {
    const ts = event.ts;
    if (this.lastTs !== null && ts < this.lastTs) {
      throw new Error(`event time went backwards: ${event.topic} at ts ${ts} after an event at ts ${this.lastTs}`);
    }
    this.sampleBoundariesBefore(ts);
    this.lastTs = ts;
    const f = this.params;
    switch (event.topic) {
      case 'cc.prices':
      case 'pyth.prices': {
        const c = this.bySymbol.get(event.symbol);
        if (c === undefined) return;
        const venue = event.topic === 'pyth.prices' ? PYTH_VENUE : event.venue;
        const volume = event.topic === 'cc.prices' ? event.volume24hUsd : undefined;
        c.venues.set(venue, { ts, price: event.price, volume });
        return;
      }
      case 'cc.orderbook': {
        const c = this.bySymbol.get(event.symbol);
        if (c === undefined) return;
        c.books.set(event.venue, { ts, depth: bookDepthUsd(event.bids, event.asks, f.depth) });
        return;
      }
      case 'dl.apy':
        // Kept whatever the symbol: the pool's next record may move it into or out of a constituent.
        this.pools.set(event.pool, { ts, symbol: event.symbol, tvlUsd: event.tvlUsd, apyBase: event.apyBase });
        return;
      case 'ex.mktcap': {
        const c = this.bySymbol.get(event.symbol);
        if (c !== undefined) c.marketCap = { ts, value: event.marketCapUsd };
        return;
      }
      case 'trad.tbill':
        this.tbill = { ts, value: event.rate };
        return;
    }
  }

  /** Stores the peg samples of every boundary m < ts not stored yet (only the last window's worth matters). */
  private sampleBoundariesBefore(ts: number): void {
    const last = (Math.ceil(ts / this.step) - 1) * this.step;
    if (this.sampledThrough === null) {
      // Before the first event there is no price: the rings already hold "no sample".
      this.sampledThrough = last;
      return;
    }
    if (last <= this.sampledThrough) return;
    const slots = this.constituents[0]?.peg.slots ?? 0;
    const first = Math.max(this.sampledThrough + this.step, last - (slots - 1) * this.step);
    for (let m = first; m <= last; m += this.step) {
      for (const c of this.constituents) {
        const price = this.priceAt(c, m);
        c.peg.set(m, price === undefined ? NaN : deviationBps(price));
      }
    }
    this.sampledThrough = last;
  }

  /** P_s(t): median of the venue prices fresh at t (all held records have ts ≤ t). */
  private priceAt(c: ConstituentState, t: number): number | undefined {
    const prices = this.scratch;
    prices.length = 0;
    const limit = this.params.freshnessMs.price;
    for (const record of c.venues.values()) if (t - record.ts <= limit) prices.push(record.price);
    return prices.length === 0 ? undefined : medianInPlace(prices);
  }

  /** The index record at T, or null when no constituent is eligible. Requires T ≥ the last event's ts. */
  evaluate(T: number): IndexRecord | null {
    if (this.lastTs === null || this.sampledThrough === null) return null;
    if (T < this.lastTs) throw new Error(`cannot evaluate at ${T}: the state already holds an event at ts ${this.lastTs}`);
    const f = this.params;
    const poolsBySymbol = this.freshPoolsBySymbol(T);

    let mode: IndexMode = 'normal';
    const candidates: { c: ConstituentState; price: number; devBps: number; marketCapUsd: number; apyEff: number }[] = [];
    for (const c of this.constituents) {
      const price = this.priceAt(c, T);
      if (price === undefined) continue;
      const devBps = deviationBps(price);
      if (Math.abs(devBps) > f.mode.highVolDevBps) mode = 'high-vol';
      const mc = c.marketCap;
      if (mc === undefined || T - mc.ts > f.freshnessMs.marketCap || !(mc.value > 0)) continue;
      const pools = poolsBySymbol.get(c.symbol);
      const apyEff = pools === undefined ? undefined : effectiveApy(pools, f.apy);
      if (apyEff === undefined) continue;
      candidates.push({ c, price, devBps, marketCapUsd: mc.value, apyEff });
    }
    if (candidates.length === 0) return null;

    const kappa = kappaOf(mode, f.mode);
    const eligible: Omit<ConstituentRecord, 'weight'>[] = [];
    const weightInputs: WeightInput[] = [];
    for (const { c, price, devBps, marketCapUsd, apyEff } of candidates) {
      const peg = this.pegAt(c, T);
      if (peg === undefined) continue;
      const depthUsd = this.depthAt(c, T);
      const volume24hUsd = this.volumeAt(c, T);
      const liq = liquidityScore(depthUsd, volume24hUsd, marketCapUsd, f.liquidity);
      const cp = counterpartyScore(c.symbol, f.counterparty);
      eligible.push({
        symbol: c.symbol,
        price,
        devBps,
        marketCapUsd,
        apyEff,
        pegScore: peg.pegScore,
        sigmaBps: peg.sigmaBps,
        liquidityScore: liq,
        counterpartyScore: cp,
        depthUsd,
        volume24hUsd,
        ray: riskAdjustedYield(apyEff, peg.pegScore, liq, cp, kappa),
      });
      weightInputs.push({ symbol: c.symbol, marketCapUsd, sigmaBps: peg.sigmaBps });
    }
    if (eligible.length === 0) return null;

    const weights = capWeights(weightInputs, f.weights);
    const constituents: ConstituentRecord[] = [];
    const rays: number[] = [];
    for (let i = 0; i < eligible.length; i++) {
      const e = eligible[i] as Omit<ConstituentRecord, 'weight'>;
      constituents.push({ ...e, weight: weights[i] as number });
      rays.push(e.ray);
    }
    const value = indexValue(weights, rays);
    const tb = this.tbill;
    const tbillRate = tb !== undefined && T - tb.ts <= f.freshnessMs.tbill ? tb.value : null;
    return {
      ts: T,
      value,
      tbillRate,
      rpl: tbillRate === null ? null : value - tbillRate,
      mode,
      eligible: constituents.length,
      methodologyVersion: this.methodologyVersion,
      constituents,
    };
  }

  /** Peg score and σ over K: stored samples of the window, boundaries not stored yet, and T itself. */
  private pegAt(c: ConstituentState, T: number): { pegScore: number; sigmaBps: number } | undefined {
    const step = this.step;
    const through = this.sampledThrough as number;
    const windowLast = Math.floor(T / step) * step;
    const windowFirst = windowLast - (c.peg.slots - 1) * step;
    const stored = c.peg.storedMoments(windowFirst, through);
    const moments = { count: stored.count, mean: stored.mean, m2: stored.m2, sumHuber: stored.sumHuber };
    const delta = this.params.peg.huberDeltaBps;
    // Boundaries after the stored ones lie at or after the last event: the state now is the state then.
    for (let m = Math.max(through + step, windowFirst); m <= windowLast; m += step) {
      const price = this.priceAt(c, m);
      if (price !== undefined) addSample(moments, deviationBps(price), delta);
    }
    if (T !== windowLast) {
      const price = this.priceAt(c, T);
      if (price !== undefined) addSample(moments, deviationBps(price), delta);
    }
    if (moments.count === 0) return undefined;
    return pegStatsFromMoments(moments.count, moments.m2, moments.sumHuber, this.params.peg);
  }

  private depthAt(c: ConstituentState, T: number): number {
    const limit = this.params.freshnessMs.orderBook;
    let total = 0;
    for (const book of c.books.values()) if (book.depth !== undefined && T - book.ts <= limit) total += book.depth;
    return total;
  }

  private volumeAt(c: ConstituentState, T: number): number {
    const limit = this.params.freshnessMs.volume;
    let total = 0;
    for (const [venue, record] of c.venues) {
      if (venue !== PYTH_VENUE && record.volume !== undefined && T - record.ts <= limit) total += record.volume;
    }
    return total;
  }

  private freshPoolsBySymbol(T: number): Map<string, PoolCandidate[]> {
    const limit = this.params.freshnessMs.poolApy;
    const out = new Map<string, PoolCandidate[]>();
    for (const pool of this.pools.values()) {
      if (T - pool.ts > limit || !this.bySymbol.has(pool.symbol)) continue;
      const list = out.get(pool.symbol);
      if (list === undefined) out.set(pool.symbol, [pool]);
      else list.push(pool);
    }
    return out;
  }

  toJSON(): IndexStateSnapshot {
    return {
      format: 'syi-index-state/1',
      methodologyVersion: this.methodologyVersion,
      lastTs: this.lastTs,
      sampledThrough: this.sampledThrough,
      constituents: this.constituents.map((c) => ({
        symbol: c.symbol,
        venues: [...c.venues].map(([venue, r]) => [venue, r.ts, r.price, r.volume ?? null] as const),
        books: [...c.books].map(([venue, b]) => [venue, b.ts, b.depth ?? null] as const),
        marketCap: c.marketCap === undefined ? null : ([c.marketCap.ts, c.marketCap.value] as const),
        pegRing: c.peg.toJSON(),
      })),
      pools: [...this.pools].map(([pool, p]) => [pool, p.ts, p.symbol, p.tvlUsd, p.apyBase] as const),
      tbill: this.tbill === undefined ? null : [this.tbill.ts, this.tbill.value],
    };
  }

  /** Restores a checkpoint; the parameter set must be the one the checkpoint was taken with. */
  static fromJSON(snapshot: IndexStateSnapshot, params: MethodologyParams = METHODOLOGY_V1): IndexState {
    if (snapshot.format !== 'syi-index-state/1') throw new Error(`unknown index state snapshot format ${String(snapshot.format)}`);
    const state = new IndexState(params);
    if (snapshot.methodologyVersion !== state.methodologyVersion) {
      throw new Error(`snapshot was taken with methodology ${snapshot.methodologyVersion}, not ${state.methodologyVersion}`);
    }
    state.lastTs = snapshot.lastTs;
    state.sampledThrough = snapshot.sampledThrough;
    for (const saved of snapshot.constituents) {
      const c = state.bySymbol.get(saved.symbol);
      if (c === undefined) throw new Error(`snapshot has constituent ${saved.symbol}, not in the parameter set`);
      for (const [venue, ts, price, volume] of saved.venues) c.venues.set(venue, { ts, price, volume: volume ?? undefined });
      for (const [venue, ts, depth] of saved.books) c.books.set(venue, { ts, depth: depth ?? undefined });
      c.marketCap = saved.marketCap === null ? undefined : { ts: saved.marketCap[0], value: saved.marketCap[1] };
      c.peg.restore(saved.pegRing);
    }
    for (const [pool, ts, symbol, tvlUsd, apyBase] of snapshot.pools) state.pools.set(pool, { ts, symbol, tvlUsd, apyBase });
    state.tbill = snapshot.tbill === null ? undefined : { ts: snapshot.tbill[0], value: snapshot.tbill[1] };
    return state;
  }
}
