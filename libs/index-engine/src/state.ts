// The incremental index state: accepts input events in non-decreasing event time and answers
// "the index record at T" for any T at or after the last event. Memory is bounded: the latest
// record per identity key (order books reduced to their depth), and per constituent a ring of
// one peg sample per minute. The replay command and the stream processors share it.
//
// Evaluation is cheap because what rarely changes is cached: the effective APY of every
// constituent is kept until a pool record arrives or a pool crosses its freshness limit, and
// the peg window keeps the moments of its stored samples (see peg-window.ts).

import { PYTH_VENUE, type IndexEvent } from './events';
import {
  bookDepthUsd,
  counterpartyScore,
  deviationBps,
  effectiveApy,
  liquidityScore,
  medianInPlace,
  pegStatsFromMoments,
  riskAdjustedYield,
  type IndexMode,
} from './measures';
import {
  assertUsableParams,
  compareCodeUnits,
  METHODOLOGY_V1,
  methodologyVersionOf,
  type MethodologyParams,
} from './params';
import { addSample, emptyMoments, PegWindow } from './peg-window';
import { nonFiniteFields, type ConstituentRecord, type IndexRecord } from './record';
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
  readonly counterpartyScore: number;
  /** the fresh pools of this symbol at the APY cache's evaluation time */
  readonly pools: PoolRecord[] = [];
  /** APY_eff at the APY cache's evaluation time (NaN: undefined) */
  apyEff = NaN;

  constructor(
    readonly symbol: string,
    params: MethodologyParams,
  ) {
    this.peg = new PegWindow(
      params.peg.sampleIntervalMs,
      params.peg.windowMs / params.peg.sampleIntervalMs,
      params.peg.huberDeltaBps,
    );
    this.counterpartyScore = counterpartyScore(symbol, params.counterparty);
  }
}

/** A constituent with P, MC and APY_eff defined at T, before its peg and liquidity are looked at. */
interface Candidate {
  c: ConstituentState;
  price: number;
  devBps: number;
  marketCapUsd: number;
  apyEff: number;
}

/** One constituent's measures at T (§2, and RAY for both values of κ); null where undefined. */
export interface ConstituentMeasures {
  readonly symbol: string;
  readonly price: number | null;
  readonly devBps: number | null;
  readonly pegScore: number | null;
  readonly sigmaBps: number | null;
  /** |K|: peg samples in the window (0: K undefined) */
  readonly sampleCount: number;
  readonly depthUsd: number;
  readonly volume24hUsd: number;
  readonly marketCapUsd: number | null;
  readonly liquidityScore: number | null;
  readonly apyEff: number | null;
  readonly counterpartyScore: number;
  /** RAY with κ of the normal mode, and of the high-vol mode: the mode is decided across constituents */
  readonly rayNormal: number | null;
  readonly rayHighVol: number | null;
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
  /**
   * The APY cache: ConstituentState.apyEff holds the values at `apyAt` for the pool records of
   * `apyPoolsVersion`. They hold at any T for which no pool of a constituent changes freshness:
   * the oldest fresh pool is still fresh and the newest stale pool still stale (freshness is
   * monotone in ts, so every other pool keeps its status too).
   */
  private poolsVersion = 0;
  private apyPoolsVersion = -1;
  private apyAt = NaN;
  private apyOldestFreshTs = Infinity;
  private apyNewestStaleTs = -Infinity;

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
        const record = c.venues.get(venue);
        if (record === undefined) {
          c.venues.set(venue, { ts, price: event.price, volume });
        } else {
          record.ts = ts;
          record.price = event.price;
          record.volume = volume;
        }
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
        this.poolsVersion++;
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
      for (const c of this.constituents) c.peg.set(m, deviationOrNaN(this.priceAt(c, m)));
    }
    this.sampledThrough = last;
  }

  /** P_s(t): median of the venue prices fresh at t (all held records have ts ≤ t); NaN when none is. */
  private priceAt(c: ConstituentState, t: number): number {
    const prices = this.scratch;
    prices.length = 0;
    const limit = this.params.freshnessMs.price;
    for (const record of c.venues.values()) if (t - record.ts <= limit) prices.push(record.price);
    return prices.length === 0 ? NaN : medianInPlace(prices);
  }

  /** The index record at T, or null when no constituent is eligible. Requires T ≥ the last event's ts. */
  evaluate(T: number): IndexRecord | null {
    if (this.lastTs === null || this.sampledThrough === null) return null;
    if (T < this.lastTs)
      throw new Error(`cannot evaluate at ${T}: the state already holds an event at ts ${this.lastTs}`);
    const f = this.params;
    this.refreshApy(T);

    // Mode looks at every configured constituent with a price, eligible or not.
    let mode: IndexMode = 'normal';
    const candidates: Candidate[] = [];
    for (const c of this.constituents) {
      const price = this.priceAt(c, T);
      if (price !== price) continue;
      const devBps = deviationBps(price);
      if (Math.abs(devBps) > f.mode.highVolDevBps) mode = 'high-vol';
      const mc = c.marketCap;
      if (mc === undefined || T - mc.ts > f.freshnessMs.marketCap || !(mc.value > 0)) continue;
      const apyEff = c.apyEff;
      if (apyEff !== apyEff) continue;
      candidates.push({ c, price, devBps, marketCapUsd: mc.value, apyEff });
    }
    if (candidates.length === 0) return null;

    const kappa = mode === 'high-vol' ? f.mode.kappaHighVol : f.mode.kappaNormal;
    const constituents: { -readonly [K in keyof ConstituentRecord]: ConstituentRecord[K] }[] = [];
    const weightInputs: WeightInput[] = [];
    for (const { c, price, devBps, marketCapUsd, apyEff } of candidates) {
      const peg = this.pegAt(c, T, price);
      if (peg === undefined) continue;
      const depthUsd = this.depthAt(c, T);
      const volume24hUsd = this.volumeAt(c, T);
      const liq = liquidityScore(depthUsd, volume24hUsd, marketCapUsd, f.liquidity);
      const cp = c.counterpartyScore;
      // Key order is the record's JSON layout.
      constituents.push({
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
        weight: 0,
      });
      weightInputs.push({ symbol: c.symbol, marketCapUsd, sigmaBps: peg.sigmaBps });
    }
    if (constituents.length === 0) return null;

    const weights = capWeights(weightInputs, f.weights);
    const rays: number[] = new Array<number>(constituents.length);
    for (let i = 0; i < constituents.length; i++) {
      const e = constituents[i] as ConstituentRecord & { weight: number };
      e.weight = weights[i] as number;
      rays[i] = e.ray;
    }
    const value = indexValue(weights, rays);
    const tb = this.tbill;
    const tbillRate = tb !== undefined && T - tb.ts <= f.freshnessMs.tbill ? tb.value : null;
    const record: IndexRecord = {
      ts: T,
      value,
      tbillRate,
      rpl: tbillRate === null ? null : value - tbillRate,
      mode,
      eligible: constituents.length,
      methodologyVersion: this.methodologyVersion,
      constituents,
    };
    // Last line of defence: a record with NaN or Infinity in it is never produced, so never published.
    return nonFiniteFields(record).length === 0 ? record : null;
  }

  /**
   * Every configured constituent's measures at T (§2), defined or not, in symbol order: what the
   * per-symbol processors publish (syi.peg, syi.liquidity, ray.calculated). The numbers are those
   * `evaluate(T)` puts in its record for an eligible constituent, bit for bit (same code path).
   * Requires T ≥ the last event's ts.
   */
  measuresAt(T: number): ConstituentMeasures[] {
    if (this.lastTs !== null && T < this.lastTs)
      throw new Error(`cannot evaluate at ${T}: the state already holds an event at ts ${this.lastTs}`);
    const f = this.params;
    this.refreshApy(T);
    return this.constituents.map((c) => {
      const price = this.lastTs === null ? NaN : this.priceAt(c, T);
      const peg = this.sampledThrough === null ? undefined : this.pegAt(c, T, price);
      const mc = c.marketCap;
      const marketCapUsd = mc !== undefined && T - mc.ts <= f.freshnessMs.marketCap && mc.value > 0 ? mc.value : null;
      const depthUsd = this.depthAt(c, T);
      const volume24hUsd = this.volumeAt(c, T);
      const liq = marketCapUsd === null ? null : liquidityScore(depthUsd, volume24hUsd, marketCapUsd, f.liquidity);
      const apyEff = c.apyEff === c.apyEff ? c.apyEff : null;
      const cp = c.counterpartyScore;
      const rayAt = (kappa: number) =>
        apyEff === null || peg === undefined || liq === null
          ? null
          : riskAdjustedYield(apyEff, peg.pegScore, liq, cp, kappa);
      return {
        symbol: c.symbol,
        price: price === price ? price : null,
        devBps: price === price ? deviationBps(price) : null,
        pegScore: peg?.pegScore ?? null,
        sigmaBps: peg?.sigmaBps ?? null,
        sampleCount: peg?.sampleCount ?? 0,
        depthUsd,
        volume24hUsd,
        marketCapUsd,
        liquidityScore: liq,
        apyEff,
        counterpartyScore: cp,
        rayNormal: rayAt(f.mode.kappaNormal),
        rayHighVol: rayAt(f.mode.kappaHighVol),
      };
    });
  }

  /** Peg score and σ over K: stored samples of the window, boundaries not stored yet, and T itself (price P_s(T)). */
  private pegAt(
    c: ConstituentState,
    T: number,
    priceAtT: number,
  ): { pegScore: number; sigmaBps: number; sampleCount: number } | undefined {
    const step = this.step;
    const through = this.sampledThrough as number;
    const windowLast = Math.floor(T / step) * step;
    const windowFirst = windowLast - (c.peg.slots - 1) * step;
    const stored = c.peg.storedMoments(windowFirst, through);
    const moments = emptyMoments();
    moments.count = stored.count;
    moments.mean = stored.mean;
    moments.m2 = stored.m2;
    moments.sumHuber = stored.sumHuber;
    const delta = this.params.peg.huberDeltaBps;
    // Boundaries after the stored ones lie at or after the last event: the state now is the state then.
    for (let m = Math.max(through + step, windowFirst); m <= windowLast; m += step) {
      const price = this.priceAt(c, m);
      if (price === price) addSample(moments, deviationBps(price), delta);
    }
    if (T !== windowLast && priceAtT === priceAtT) addSample(moments, deviationBps(priceAtT), delta);
    if (moments.count === 0) return undefined;
    return {
      ...pegStatsFromMoments(moments.count, moments.m2, moments.sumHuber, this.params.peg),
      sampleCount: moments.count,
    };
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

  /** Brings every constituent's apyEff to T (from the cache when no pool changed freshness since). */
  private refreshApy(T: number): void {
    const limit = this.params.freshnessMs.poolApy;
    if (
      this.apyPoolsVersion === this.poolsVersion &&
      (T === this.apyAt || (T - this.apyOldestFreshTs <= limit && !(T - this.apyNewestStaleTs <= limit)))
    ) {
      return;
    }
    for (const c of this.constituents) c.pools.length = 0;
    let oldestFresh = Infinity;
    let newestStale = -Infinity;
    for (const pool of this.pools.values()) {
      const c = this.bySymbol.get(pool.symbol);
      if (c === undefined) continue;
      if (T - pool.ts <= limit) {
        c.pools.push(pool);
        if (pool.ts < oldestFresh) oldestFresh = pool.ts;
      } else if (pool.ts > newestStale) {
        newestStale = pool.ts;
      }
    }
    for (const c of this.constituents) c.apyEff = effectiveApy(c.pools, this.params.apy) ?? NaN;
    this.apyPoolsVersion = this.poolsVersion;
    this.apyAt = T;
    this.apyOldestFreshTs = oldestFresh;
    this.apyNewestStaleTs = newestStale;
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
    if (snapshot.format !== 'syi-index-state/1')
      throw new Error(`unknown index state snapshot format ${String(snapshot.format)}`);
    const state = new IndexState(params);
    if (snapshot.methodologyVersion !== state.methodologyVersion) {
      throw new Error(
        `snapshot was taken with methodology ${snapshot.methodologyVersion}, not ${state.methodologyVersion}`,
      );
    }
    state.lastTs = snapshot.lastTs;
    state.sampledThrough = snapshot.sampledThrough;
    for (const saved of snapshot.constituents) {
      const c = state.bySymbol.get(saved.symbol);
      if (c === undefined) throw new Error(`snapshot has constituent ${saved.symbol}, not in the parameter set`);
      for (const [venue, ts, price, volume] of saved.venues)
        c.venues.set(venue, { ts, price, volume: volume ?? undefined });
      for (const [venue, ts, depth] of saved.books) c.books.set(venue, { ts, depth: depth ?? undefined });
      c.marketCap = saved.marketCap === null ? undefined : { ts: saved.marketCap[0], value: saved.marketCap[1] };
      c.peg.restore(saved.pegRing);
    }
    for (const [pool, ts, symbol, tvlUsd, apyBase] of snapshot.pools)
      state.pools.set(pool, { ts, symbol, tvlUsd, apyBase });
    state.poolsVersion++;
    state.tbill = snapshot.tbill === null ? undefined : { ts: snapshot.tbill[0], value: snapshot.tbill[1] };
    return state;
  }
}

/** The deviation in bps of a price, NaN for "no price". */
function deviationOrNaN(price: number): number {
  return price === price ? deviationBps(price) : NaN;
}
