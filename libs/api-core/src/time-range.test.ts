import { parseTime, timeRange } from './time-range';

describe('timeRange', () => {
  const now = Date.UTC(2026, 0, 2);
  const DAY = 86_400_000;

  it('defaults to a span ending now', () => {
    expect(timeRange({}, now, 3600_000, DAY)).toEqual({ from: now - 3600_000, to: now, clipped: false });
  });

  it('accepts ISO date-times and epoch milliseconds', () => {
    expect(timeRange({ from: '2026-01-01T00:00:00Z', to: String(now) }, 0, 1, 2 * DAY)).toEqual({
      from: Date.UTC(2026, 0, 1),
      to: now,
      clipped: false,
    });
    expect(parseTime('from', '2026-01-01T01:00:00+01:00')).toBe(Date.UTC(2026, 0, 1));
  });

  it('cuts a range that is too long to its newest part, or its oldest for forward paging', () => {
    expect(timeRange({ from: '0', to: String(now) }, now, 1, DAY)).toEqual({ from: now - DAY, to: now, clipped: true });
    expect(timeRange({ from: '0', to: String(now) }, now, 1, DAY, 'oldest')).toEqual({
      from: 0,
      to: DAY,
      clipped: true,
    });
  });

  it('serves a reversed range as it is (empty), not as an error', () => {
    expect(timeRange({ from: String(now), to: String(now - 1) }, now, 1, 10)).toEqual({
      from: now,
      to: now - 1,
      clipped: false,
    });
  });

  it('still refuses a time that does not parse, should one get past the schema', () => {
    expect(() => timeRange({ from: '2026-13-01T00:00:00Z' }, now, 1, 10)).toThrow('"from" is not a valid time');
  });
});
