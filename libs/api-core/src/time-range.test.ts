import { parseTime, timeRange } from './time-range';

describe('timeRange', () => {
  const now = Date.UTC(2026, 0, 2);

  it('defaults to a span ending now', () => {
    expect(timeRange({}, now, 3600_000, 86_400_000)).toEqual({ from: now - 3600_000, to: now });
  });

  it('accepts ISO date-times and epoch milliseconds', () => {
    expect(timeRange({ from: '2026-01-01T00:00:00Z', to: String(now) }, 0, 1, 2 * 86_400_000)).toEqual({ from: Date.UTC(2026, 0, 1), to: now });
    expect(parseTime('from', '2026-01-01T01:00:00+01:00')).toBe(Date.UTC(2026, 0, 1));
  });

  it('rejects an empty or reversed range and one that is too long, naming the parameters', () => {
    expect(() => timeRange({ from: String(now), to: String(now) }, now, 1, 10)).toThrow('"from" must be before "to"');
    expect(() => timeRange({ from: '0', to: String(now) }, now, 1, 10)).toThrow('"from".."to"');
    expect(() => timeRange({ from: '2026-13-01T00:00:00Z' }, now, 1, 10)).toThrow('"from" is not a valid time');
  });
});
