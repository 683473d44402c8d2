import { Watermarks } from './watermark';

const options = { allowedLatenessMs: 200, idleTimeoutMs: 10_000, stallCapMs: 2_000 };

/** Two lagging partitions: `slow` at ts 1 000, `fast` at ts 50 000; a sparse one read to its end at ts 3 600 000. */
function setup(): Watermarks {
  const w = new Watermarks(options);
  w.track('slow', 0, 100, 0);
  w.track('fast', 0, 100, 0);
  w.track('sparse', 0, 1, 0);
  w.touchAll(0);
  w.observe('slow', 1_000, 0);
  w.advance('slow', 10, 100, 0);
  w.observe('fast', 50_000, 0);
  w.advance('fast', 10, 100, 0);
  w.observe('sparse', 3_600_000, 0);
  w.advance('sparse', 1, 1, 0);
  return w;
}

describe('Watermarks', () => {
  it('is held back by the slowest lagging partition, not by one read to its end', () => {
    const w = setup();
    expect(w.current(0)).toBe(800);
    expect(w.lagging(0).sort()).toEqual(['fast', 'slow']);
  });

  it('stops waiting for a partition that delivers nothing for the idle timeout while the others deliver', () => {
    const w = setup();
    for (let t = 500; t <= 11_000; t += 500) {
      w.observe('fast', 50_000 + t, t);
      w.advance('fast', 10 + t / 500, 1_000, t);
    }
    expect(w.lagging(11_000)).toEqual(['fast']);
    expect(w.current(11_000)).toBe(61_000 - 200);
  });

  it('with no idle timeout (the default), waits for a lagging partition however long it delivers nothing', () => {
    const w = new Watermarks({ ...options, idleTimeoutMs: 0 });
    w.track('fast', 10, 1_000, 0, 50_000);
    w.track('slow', 10, 100, 0, 1_000);
    for (let t = 500; t <= 600_000; t += 500) {
      w.observe('fast', 50_000 + t, t);
      w.advance('fast', 10 + t / 500, 10_000, t);
    }
    expect(w.lagging(600_000).sort()).toEqual(['fast', 'slow']);
    expect(w.current(600_000)).toBe(800);
  });

  it('reports a lagging partition it stops waiting for, once until it delivers again', () => {
    const released: string[] = [];
    const w = new Watermarks({ ...options, onIdleRelease: (partition) => released.push(partition) });
    w.track('fast', 10, 1_000, 0, 50_000);
    w.track('slow', 10, 100, 0, 1_000);
    for (let t = 500; t <= 11_000; t += 500) {
      w.observe('fast', 50_000 + t, t);
      w.advance('fast', 10 + t / 500, 1_000, t);
      w.current(t);
    }
    expect(released).toEqual(['slow']);
    w.observe('slow', 2_000, 11_100);
    w.advance('slow', 11, 100, 11_100);
    for (let t = 11_500; t <= 30_000; t += 500) {
      w.observe('fast', 50_000 + t, t);
      w.advance('fast', 10 + t / 500, 1_000, t);
      w.current(t);
    }
    expect(released).toEqual(['slow', 'slow']);
  });

  it('does not count a stall of the whole reader as idle time: the watermark stays put', () => {
    const w = setup();
    // nothing delivered anywhere for a minute (a long commit, GC, a busy CPU)
    expect(w.lagging(60_000).sort()).toEqual(['fast', 'slow']);
    expect(w.current(60_000)).toBe(800);
    // reading resumes: the slow partition still holds the watermark until it delivers
    w.observe('fast', 51_000, 60_100);
    w.advance('fast', 11, 100, 60_100);
    expect(w.current(60_100)).toBe(800);
    w.observe('slow', 2_000, 60_200);
    w.advance('slow', 11, 100, 60_200);
    expect(w.current(60_200)).toBe(1_800);
  });

  it('never moves back', () => {
    const w = setup();
    expect(w.current(0)).toBe(800);
    w.track('late-joiner', 0, 10, 0);
    w.observe('late-joiner', 100, 0);
    expect(w.current(0)).toBe(800);
  });
});

describe('Watermarks between events (the clock, once every partition is read to its end)', () => {
  /** Lateness 200 ms, the clock up to 2 s; an event at ts 10 100 arrived at wall 50 000, partition read. */
  function caughtUp(): Watermarks {
    const w = new Watermarks({ allowedLatenessMs: 200, idleTimeoutMs: 0, clockAdvanceMaxMs: 2_000 });
    w.track('hermes', 0, 1, 50_000);
    w.observe('hermes', 10_100, 50_000);
    w.advance('hermes', 1, 1, 50_000);
    return w;
  }

  it('moves event time on by the wall time from the newest arrival to a fetch response that found nothing', () => {
    const w = caughtUp();
    expect(w.current(50_000)).toBe(9_900); // the event alone
    w.caughtUpAt(50_040);
    expect(w.current(50_040)).toBe(9_940);
    w.caughtUpAt(50_120);
    expect(w.current(50_500)).toBe(10_020); // only what a response confirmed counts, not the wall time now
  });

  it('goes at most clockAdvanceMaxMs past the newest event: with no input at all the index waits for one', () => {
    const w = caughtUp();
    w.caughtUpAt(60_000);
    expect(w.current(60_000)).toBe(11_900); // 10 100 + 2 000 − 200
    w.observe('hermes', 12_500, 60_100);
    w.advance('hermes', 2, 2, 60_100);
    w.caughtUpAt(60_150);
    expect(w.current(60_150)).toBe(12_350); // 12 500 + 50 − 200
  });

  it('never moves back when a newer event arrives with an older ts than the clock had reached', () => {
    const w = caughtUp();
    w.caughtUpAt(51_000);
    expect(w.current(51_000)).toBe(10_900);
    w.observe('hermes', 10_500, 51_100); // a poller's record stamped earlier, arriving now
    w.advance('hermes', 2, 2, 51_100);
    expect(w.current(51_100)).toBe(10_900);
  });

  it('does not move while a partition is behind its end offset, nor before a response after the newest arrival', () => {
    const w = caughtUp();
    w.caughtUpAt(49_000);
    expect(w.current(49_000)).toBe(9_900);
    w.track('pools', 0, 5, 50_000);
    w.caughtUpAt(50_100);
    expect(w.current(50_100)).toBe(9_900); // pools unread: it holds the watermark
    w.observe('pools', 10_050, 50_200);
    w.advance('pools', 5, 5, 50_200);
    w.caughtUpAt(50_300);
    expect(w.current(50_300)).toBe(10_200); // 10 100 + (50 300 − 50 000) − 200
  });

  it('without clockAdvanceMaxMs, only events move it', () => {
    const w = new Watermarks({ allowedLatenessMs: 200, idleTimeoutMs: 0 });
    w.track('hermes', 0, 1, 0);
    w.observe('hermes', 10_100, 0);
    w.advance('hermes', 1, 1, 0);
    w.caughtUpAt(5_000);
    expect(w.current(5_000)).toBe(9_900);
  });
});
