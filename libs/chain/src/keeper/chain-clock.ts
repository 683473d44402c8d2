// The chain's clock, as the keeper's decisions and /health need it. Consumers check staleness with
// block.timestamp (getPriceNoOlderThan), so a host clock that is 30 s fast or slow would make the
// keeper push a storm or let the oracle go stale while saying it is fresh. The clock is anchored on
// the latest block's timestamp when that block is first seen and advanced by the host's elapsed time
// (a host's offset cancels out; only its rate matters). Until a block is seen it is the host clock.
//
// Caveat: on a chain that produces blocks only on demand (anvil automine) and has been idle, the
// latest block is old when first seen, so the clock lags until the next block (our next push).
export class ChainClock {
  private anchor: { block: bigint; timestampS: number; hostMs: number } | undefined;

  constructor(private readonly hostNowMs: () => number) {}

  /** A block read from the chain; a new block number (or a reorg back to another one) re-anchors. */
  observe(block: bigint, timestampS: number): void {
    if (this.anchor?.block === block) return;
    this.anchor = { block, timestampS, hostMs: this.hostNowMs() };
  }

  /** Chain time now, in seconds (fractional). */
  nowS(): number {
    const host = this.hostNowMs();
    return this.anchor ? this.anchor.timestampS + (host - this.anchor.hostMs) / 1000 : host / 1000;
  }

  /** Chain time minus host time, seconds: what a host clock skew looks like from here (for /status). */
  offsetS(): number | undefined {
    return this.anchor && Math.round(this.nowS() - this.hostNowMs() / 1000);
  }
}
