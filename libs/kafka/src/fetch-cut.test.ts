import { FetchCut } from './fetch-cut';

describe('FetchCut', () => {
  it("tells, when a broker's response has been handled, up to when every broker's answer has been", () => {
    const cut = new FetchCut();
    expect(cut.started(1, 0)).toBeUndefined(); // the first fetch: nothing handled yet
    cut.responded(1, 100);
    expect(cut.handlingResponse).toBe(true);
    expect(cut.started(1, 130)).toBe(100); // its batches handled: the next fetch starts
    expect(cut.handlingResponse).toBe(false);
  });

  it('is the earliest of the brokers: one still on an older answer holds it back', () => {
    const cut = new FetchCut();
    for (const broker of [1, 2]) cut.started(broker, 0);
    cut.responded(1, 100);
    cut.responded(2, 40);
    expect(cut.started(2, 60)).toBe(40);
    expect(cut.started(1, 120)).toBe(40);
    cut.responded(2, 200);
    expect(cut.started(2, 210)).toBe(100);
  });

  it('leaves out a broker not asked for anything for 5 s (down, its partitions moved)', () => {
    const cut = new FetchCut();
    for (const broker of [1, 2]) cut.started(broker, 0);
    cut.responded(1, 100);
    cut.responded(2, 100);
    cut.started(2, 110);
    expect(cut.started(1, 110)).toBe(100);
    cut.responded(1, 5_000);
    expect(cut.started(1, 5_050)).toBe(100); // broker 2 last asked at 110: still counts
    cut.responded(1, 6_000);
    expect(cut.started(1, 6_000)).toBe(6_000); // 5 890 ms since broker 2 was asked
  });
});
