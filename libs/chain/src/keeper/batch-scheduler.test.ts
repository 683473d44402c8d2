import { BatchScheduler, RefreshTimer, type BatchRunRequest, type Clock } from './batch-scheduler';

/** A manual clock: timers fire only when the test advances time. */
class ManualClock implements Clock {
  private t = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  now = (): number => this.t;
  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (handle: unknown): void => {
    this.timers = this.timers.filter((x) => x.id !== handle);
  };
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = due.at;
      due.fn();
      await flush();
    }
    this.t = target;
  }
}
const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

function setup(debounceMs = 1_000) {
  const clock = new ManualClock();
  const runs: { at: number; req: BatchRunRequest }[] = [];
  let release: (() => void) | undefined;
  let hold = false;
  const scheduler = new BatchScheduler(
    debounceMs,
    (req) => {
      runs.push({ at: clock.now(), req });
      return hold ? new Promise<void>((r) => (release = r)) : Promise.resolve();
    },
    (err) => {
      throw err;
    },
    clock,
  );
  return { clock, runs, scheduler, holdRuns: () => (hold = true), release: () => release?.() };
}

describe('BatchScheduler', () => {
  it('combines every change within the window into one run at its end', async () => {
    const { clock, runs, scheduler } = setup();
    scheduler.notify();
    await clock.advance(300);
    scheduler.notify();
    await clock.advance(600);
    scheduler.notify();
    expect(runs).toHaveLength(0);
    await clock.advance(100);
    expect(runs).toEqual([{ at: 1_000, req: { force: false } }]);
  });

  it('does not extend the window, so changes every 400 ms cannot starve the push', async () => {
    const { clock, runs, scheduler } = setup();
    for (let i = 0; i < 10; i++) {
      scheduler.notify();
      await clock.advance(400);
    }
    expect(runs.map((r) => r.at)).toEqual([1_000, 2_200, 3_400]);
  });

  it('folds changes during a run in flight into one run after it, a window later', async () => {
    const { clock, runs, scheduler, holdRuns, release } = setup();
    holdRuns();
    scheduler.notify();
    await clock.advance(1_000);
    expect(scheduler.busy).toBe(true);
    scheduler.notify();
    scheduler.notify();
    await clock.advance(5_000);
    expect(runs).toHaveLength(1); // still waiting for the tx
    release();
    await flush();
    await clock.advance(1_000);
    expect(runs.map((r) => r.at)).toEqual([1_000, 7_000]);
  });

  it('forceAll runs at once with force, and stop waits for the run in flight', async () => {
    const { clock, runs, scheduler, holdRuns, release } = setup();
    holdRuns();
    scheduler.notify();
    scheduler.forceAll();
    await clock.advance(0);
    expect(runs).toEqual([{ at: 0, req: { force: true } }]);
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await flush();
    expect(stopped).toBe(false);
    release();
    await stopping;
    scheduler.notify();
    await clock.advance(10_000);
    expect(runs).toHaveLength(1);
  });
});

describe('RefreshTimer', () => {
  it('runs at start, then each interval after the previous run ends, and not after stop', async () => {
    const clock = new ManualClock();
    const runs: number[] = [];
    let release: (() => void) | undefined;
    const timer = new RefreshTimer(clock, 1_000, async () => {
      runs.push(clock.now());
      if (runs.length === 2) await new Promise<void>((resolve) => (release = resolve));
    });
    await timer.start();
    await clock.advance(1_000);
    await clock.advance(5_000); // the second run is still going: nothing else starts
    expect(runs).toEqual([0, 1_000]);
    release?.();
    await flush();
    await clock.advance(1_000);
    expect(runs).toEqual([0, 1_000, 7_000]);
    timer.stop();
    await clock.advance(10_000);
    expect(runs).toHaveLength(3);
  });
});
