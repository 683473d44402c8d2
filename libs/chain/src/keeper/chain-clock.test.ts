import { ChainClock } from './chain-clock';

describe('ChainClock', () => {
  it('is the host clock until a block is seen, then the host clock plus the chain-minus-host offset', () => {
    let host = 1_000_000_000; // ms; the host is 35 s slow against the chain below
    const clock = new ChainClock(() => host);
    expect(clock.nowS()).toBe(1_000_000);
    expect(clock.offsetS()).toBeUndefined();
    clock.observe(1_000_035);
    expect(clock.nowS()).toBe(1_000_035);
    host += 4_000;
    expect(clock.nowS()).toBe(1_000_039);
    expect(clock.offsetS()).toBe(35);
  });

  it('an old block (an idle chain) does not hold the clock back once a fresher one is seen', () => {
    let host = 0;
    const clock = new ChainClock(() => host);
    clock.observe(88); // the latest block, mined 12 s before we look
    expect(clock.nowS()).toBe(88);
    clock.observe(100); // the pending block: the node's now
    expect(clock.nowS()).toBe(100);
    host = 10_000;
    clock.observe(88); // the same old block read again
    expect(clock.nowS()).toBe(110);
  });

  it('follows a host clock stepped forward once the samples before the step leave the window', () => {
    let host = 40_000;
    const clock = new ChainClock(() => host, 60_000);
    clock.observe(140); // offset +100 s
    host = 80_000; // 10 s later, but the host was stepped 30 s forward: the chain reads 150
    clock.observe(150);
    expect(clock.nowS()).toBe(180); // the pre-step offset still rules: 30 s ahead, for at most the window
    host = 110_000; // 30 s later the chain reads 180
    clock.observe(180);
    expect(clock.nowS()).toBe(180);
    expect(clock.offsetS()).toBe(70);
  });
});
