import { ChainClock } from './chain-clock';

describe('ChainClock', () => {
  it('is the host clock until a block is seen, then the block time advanced by host elapsed time', () => {
    let host = 1_000_000_000; // ms; the host is 35 s slow against the chain below
    const clock = new ChainClock(() => host);
    expect(clock.nowS()).toBe(1_000_000);
    clock.observe(10n, 1_000_035);
    expect(clock.nowS()).toBe(1_000_035);
    host += 4_000;
    expect(clock.nowS()).toBe(1_000_039);
    expect(clock.offsetS()).toBe(35);
  });

  it('keeps its anchor while the block is the same (an idle chain still ages), re-anchors on a new one', () => {
    let host = 0;
    const clock = new ChainClock(() => host);
    clock.observe(5n, 100);
    host = 10_000;
    clock.observe(5n, 100); // the same block read again 10 s later
    expect(clock.nowS()).toBe(110);
    clock.observe(6n, 111);
    expect(clock.nowS()).toBe(111);
  });
});
