import { formatDuration, formatWallClock } from '../ui';

describe('formatWallClock', () => {
  const zone = process.env.TZ;
  afterAll(() => {
    process.env.TZ = zone;
  });

  // A photo taken at 16:35 on the camera's clock shows 16:35 to everyone,
  // not 11:35 to a viewer in New York.
  it.each(['America/New_York', 'Asia/Tokyo', 'UTC'])('shows the camera clock as it is in %s', (tz) => {
    process.env.TZ = tz;
    const shown = formatWallClock('2020-02-19T16:35:00');
    expect(shown).toMatch(/4:35\sPM|16:35/);
    expect(shown).toMatch(/2020/);
  });

  it('shows nothing for what is not a wall-clock time', () => {
    expect(formatWallClock(undefined)).toBe('');
    expect(formatWallClock('2020-02-19T16:35:00Z')).toBe('');
    expect(formatWallClock('yesterday')).toBe('');
  });
});

describe('formatDuration', () => {
  it('shows lengths as players do', () => {
    expect(formatDuration(7_400)).toBe('0:07');
    expect(formatDuration(750_000)).toBe('12:30');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
    expect(formatDuration(null)).toBe('');
  });
});
