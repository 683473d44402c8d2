// The chain's clock, as the keeper's decisions and /health need it. Consumers check staleness with
// block.timestamp (getPriceNoOlderThan), so a host clock that is 30 s fast or slow would make the
// keeper push a storm or let the oracle go stale while saying it is fresh.
//
// Every block timestamp read is a lower bound of the chain's time at that moment, so
// `timestamp − host time` is a lower bound of the chain-minus-host offset; the freshest block gives
// the tightest one. The clock is the host's plus the largest such offset seen within a window (a
// host whose clock is stepped while running is followed within the window). The keeper reads the
// latest block and, where the node builds one, the pending block (its timestamp is "now" on the
// node), so a chain that mines only on demand (anvil automine) does not look idle-old.
// Until a block is seen it is the host clock.
export class ChainClock {
  private samples: { offsetS: number; hostMs: number }[] = [];

  constructor(
    private readonly hostNowMs: () => number,
    private readonly windowMs = 120_000,
  ) {}

  /** A block timestamp (seconds) just read from the chain. */
  observe(timestampS: number): void {
    const hostMs = this.hostNowMs();
    this.samples.push({ offsetS: timestampS - hostMs / 1000, hostMs });
    const newest = this.samples[this.samples.length - 1]!;
    this.samples = this.samples.filter((s) => hostMs - s.hostMs <= this.windowMs);
    if (this.samples.length === 0) this.samples = [newest];
  }

  private offset(): number | undefined {
    return this.samples.length === 0 ? undefined : Math.max(...this.samples.map((s) => s.offsetS));
  }

  /** Chain time now, in seconds (fractional). */
  nowS(): number {
    return this.hostNowMs() / 1000 + (this.offset() ?? 0);
  }

  /** Chain time minus host time, seconds, once a block has been seen: a skewed host shows here. */
  offsetS(): number | undefined {
    const offset = this.offset();
    return offset === undefined ? undefined : Math.round(offset);
  }
}
