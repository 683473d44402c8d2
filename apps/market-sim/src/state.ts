// The simulator's mutable state: the market, the Hermes slot clock and the loaded scenario.
import { HermesClock, Market, effectsAt, parseScenario, type Effects, type Source } from '@stableyield/market-model';

export class SimState {
  readonly market: Market;
  clock: HermesClock;
  private readonly counters = new Map<Source, number>();

  constructor(
    seed: number,
    tickRate: number,
    readonly now: () => number,
  ) {
    this.market = new Market(seed);
    this.clock = new HermesClock(tickRate);
  }

  /** Validates and loads a scenario; its times count from now. */
  loadScenario(input: unknown): { ok: true } | { ok: false; reason: string } {
    const parsed = parseScenario(input);
    if (!parsed.ok) return parsed;
    this.market.setScenario({ scenario: parsed.scenario, startedAt: this.now() });
    return { ok: true };
  }

  clearScenario(): void {
    this.market.setScenario(null);
  }

  effects(t = this.now()): Effects {
    return effectsAt(this.market.getScenario(), t);
  }

  /** Decides, deterministically per request number, whether this response of `source` is malformed. */
  nextMalformed(source: Source): { malformed: false } | { malformed: true; counter: number } {
    const rate = this.effects().malformedRate(source);
    const counter = (this.counters.get(source) ?? 0) + 1;
    this.counters.set(source, counter);
    if (rate <= 0) return { malformed: false };
    // Spread malformed answers evenly: answer n is malformed when floor(n × rate) advances.
    return Math.floor(counter * rate) > Math.floor((counter - 1) * rate)
      ? { malformed: true, counter }
      : { malformed: false };
  }
}
