import type { Media } from '../api';
import { byNewest, filterFromParams, filterParams, listKey, mergeMedia, stillProcessing } from '../gallery';
import { formatDay, gridRows, initials, jumpTargets, monthEnd, personColor } from '../grid';
import { safeNext, rememberNext, takeNext } from '../pending';
import { daySelected, selectRange, toggle, toggleDay } from '../selection';

const m = (id: string, taken: string, status: Media['status'] = 'ready') => ({ id, taken_at: taken, status }) as Media;

describe('gallery order', () => {
  it('keeps newest taken_at first with a stable tie-break, like the server', () => {
    const items = [m('01A', '2026-01-01T10:00:00Z'), m('01C', '2026-03-01T10:00:00Z'), m('01B', '2026-01-01T10:00:00Z')];
    expect(items.sort(byNewest).map((x) => x.id)).toEqual(['01C', '01B', '01A']);
  });

  it('merges a fresh copy in place without duplicating it', () => {
    const before = [m('2', '2026-02-01T00:00:00Z', 'processing'), m('1', '2026-01-01T00:00:00Z')];
    const after = mergeMedia(before, [m('2', '2026-02-01T00:00:00Z', 'ready'), m('3', '2026-01-15T00:00:00Z')]);
    expect(after.map((x) => [x.id, x.status])).toEqual([
      ['2', 'ready'],
      ['3', 'ready'],
      ['1', 'ready'],
    ]);
  });
});

describe('parts of a gallery', () => {
  it('keeps a filter through the address and back, ignoring what it does not know', () => {
    const only = filterFromParams({ by: 'U1', kind: 'video', liked: 'true', until: '2021-05-01T00:00:00Z' });
    expect(only).toEqual({ uploader: 'U1', kind: 'video', liked: true, until: '2021-05-01T00:00:00Z' });
    expect(filterFromParams(filterParams(only))).toEqual(only);
    expect(filterFromParams({ kind: 'gif', liked: 'yes' })).toEqual({ uploader: undefined, until: undefined, kind: undefined, liked: undefined });
    expect(filterParams({})).toEqual({});
  });

  it('names each part of a gallery apart', () => {
    expect(listKey('G')).toBe('G');
    expect(listKey('G', { liked: true })).toBe('G?liked=true');
    expect(listKey('G', { kind: 'photo', uploader: 'U1' })).toBe('G?uploader=U1&kind=photo');
    expect(listKey('G', { liked: false, kind: undefined })).toBe('G');
  });
});

describe('selecting in the gallery', () => {
  const at = (id: string, local: string) => ({ id, taken_at: `${local}Z`, taken_at_local: local, status: 'ready' }) as Media;
  const items = [at('d', '2026-03-02T09:00:00'), at('c', '2026-03-01T23:00:00'), at('b', '2026-03-01T12:00:00'), at('a', '2026-02-28T08:00:00')];

  it('toggles one, and takes a run from the last tapped either way', () => {
    let s = toggle(new Set(), 'c');
    expect([...s]).toEqual(['c']);
    s = selectRange(items, s, 'c', 'a');
    expect([...s].sort()).toEqual(['a', 'b', 'c']);
    expect([...selectRange(items, new Set(), 'a', 'd')].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect([...selectRange(items, new Set(['x']), 'gone', 'b')].sort()).toEqual(['b', 'x']); // no anchor in view: just the one
    expect([...toggle(s, 'c')].sort()).toEqual(['a', 'b']);
  });

  it('takes a whole day, or leaves it when all of it is taken', () => {
    let s = toggleDay(items, new Set(['b']), '2026-03-01');
    expect([...s].sort()).toEqual(['b', 'c']);
    expect(daySelected(items, s, '2026-03-01')).toBe(true);
    s = toggleDay(items, s, '2026-03-01');
    expect(s.size).toBe(0);
    expect(daySelected(items, s, '2026-03-01')).toBe(false);
    expect(daySelected(items, s, '1999-01-01')).toBe(false);
  });
});

describe('where to go after signing in', () => {
  it('accepts only paths inside the app', () => {
    expect(safeNext('/invite/abc')).toBe('/invite/abc');
    expect(safeNext('//evil.example/x')).toBeNull();
    expect(safeNext('https://evil.example')).toBeNull();
    expect(safeNext('/\\evil.example')).toBeNull();
    expect(safeNext('/\t/evil.example')).toBeNull();
    expect(safeNext('/\n/evil.example')).toBeNull();
    expect(safeNext('javascript:alert(1)')).toBeNull();
    expect(safeNext('/')).toBeNull(); // nothing to come back to: the default applies
    expect(safeNext('/groups/01H?tab=1')).toBe('/groups/01H?tab=1');
    expect(safeNext(undefined)).toBeNull();
  });

  it('remembers the invite across the e-mail detour, once', () => {
    rememberNext('/invite/abc');
    expect(takeNext()).toBe('/invite/abc');
    expect(takeNext()).toBe('/');
    rememberNext('//evil.example');
    expect(takeNext()).toBe('/');
  });
});

describe('the grid by day', () => {
  const at = (id: string, local: string) => ({ id, taken_at: `${local}Z`, taken_at_local: local, status: 'ready' }) as Media;
  const today = new Date(Date.UTC(2026, 5, 1));

  it('heads each day where the photos were taken, then rows of tiles', () => {
    const items = [at('5', '2026-03-02T09:00:00'), at('4', '2026-03-01T23:59:00'), at('3', '2026-03-01T12:00:00'), at('2', '2026-03-01T08:00:00'), at('1', '2025-12-31T10:00:00')];
    const rows = gridRows(items, 2, today);
    expect(rows.map((r) => (r.kind === 'day' ? `day ${r.count}` : r.items.map((m) => m.id).join(',')))).toEqual([
      'day 1',
      '5',
      'day 3',
      '4,3',
      '2',
      'day 1',
      '1',
    ]);
    const days = rows.filter((r) => r.kind === 'day').map((r) => (r.kind === 'day' ? r.label : ''));
    expect(days[0]).toContain('2');
    expect(days[0]).not.toContain('2026'); // this year goes without saying
    expect(days[2]).toContain('2025');
    expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
  });

  it('reads the camera calendar, not the instant', () => {
    // 23:30 in Tokyo is 14:30 UTC the same day; 01:00 in Lisbon is the next day.
    const tokyo = { id: 'a', taken_at: '2026-03-01T14:30:00Z', taken_at_local: '2026-03-01T23:30:00', status: 'ready' } as Media;
    const lisbon = { id: 'b', taken_at: '2026-03-02T01:00:00Z', taken_at_local: '2026-03-02T01:00:00', status: 'ready' } as Media;
    expect(gridRows([lisbon, tokyo], 4, today).filter((r) => r.kind === 'day')).toHaveLength(2);
    expect(formatDay('2026-03-01', today)).toMatch(/1/);
    expect(formatDay('nonsense', today)).toBe('nonsense');
  });

  it('jumps to a month by what was taken before the next one', () => {
    expect(monthEnd('2026-03')).toBe('2026-04-01T00:00:00Z');
    expect(monthEnd('2025-12')).toBe('2026-01-01T00:00:00Z');
    const few = [{ month: '2026-03', count: 2 }, { month: '2025-12', count: 1 }];
    expect(jumpTargets(few).map((j) => [j.until, j.count])).toEqual([
      ['2026-04-01T00:00:00Z', 2],
      ['2026-01-01T00:00:00Z', 1],
    ]);
    // Past a year's worth of months, whole years.
    const many = Array.from({ length: 14 }, (_, i) => ({ month: `${2026 - Math.floor(i / 7)}-${String(12 - (i % 7)).padStart(2, '0')}`, count: 1 }));
    expect(jumpTargets(many).map((j) => [j.key, j.until, j.count])).toEqual([
      ['2026', '2027-01-01T00:00:00Z', 7],
      ['2025', '2026-01-01T00:00:00Z', 7],
    ]);
  });

  it('names people in two letters and one colour each', () => {
    expect(initials('Ann Lee')).toBe('AL');
    expect(initials('  bob  ')).toBe('B');
    expect(initials('Élodie de la Tour')).toBe('ÉT');
    expect(personColor('06h4zwcny6eagfanrb58vw676m')).toBe(personColor('06h4zwcny6eagfanrb58vw676m'));
    expect(personColor('a')).not.toBe(personColor('b'));
  });

  it('asks again about at most 100 processing items in one request', () => {
    const many = Array.from({ length: 150 }, (_, i) => ({ id: String(i), status: i % 3 ? 'processing' : 'ready', playback_status: 'none' }) as Media);
    const ids = stillProcessing(many);
    expect(ids).toHaveLength(100);
    expect(ids.every((id) => Number(id) % 3 !== 0)).toBe(true);
  });

  it("asks again about a ready video until its rendition is settled", () => {
    const video = (playback_status: Media['playback_status']) => ({ id: playback_status, status: 'ready', playback_status }) as Media;
    expect(stillProcessing([video('pending'), video('ready'), video('failed'), video('none')])).toEqual(['pending']);
  });
});
