import pino from 'pino';
import { PollScheduler } from './scheduler';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('PollScheduler', () => {
  it('runs now, then every interval, longer when the task asks, and survives a throwing task', async () => {
    const runs: number[] = [];
    const start = Date.now();
    const answers: ({ delayMs: number } | Error | undefined)[] = [
      undefined,
      { delayMs: 5000 },
      new Error('boom'),
      undefined,
    ];
    const scheduler = new PollScheduler(
      't',
      1000,
      () => {
        runs.push(Date.now() - start);
        const answer = answers[runs.length - 1];
        return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
      },
      pino({ level: 'silent' }),
    );
    scheduler.start();
    await jest.advanceTimersByTimeAsync(7500);
    expect(runs).toEqual([0, 1000, 6000, 7000]);
    await scheduler.stop();
    await jest.advanceTimersByTimeAsync(5000);
    expect(runs).toHaveLength(4);
  });

  it('stop() aborts the running task and waits for it', async () => {
    let aborted = false;
    const scheduler = new PollScheduler(
      't',
      1000,
      (signal) =>
        new Promise((resolve) =>
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve();
          }),
        ),
      pino({ level: 'silent' }),
    );
    scheduler.start();
    await jest.advanceTimersByTimeAsync(0);
    await scheduler.stop();
    expect(aborted).toBe(true);
  });
});
