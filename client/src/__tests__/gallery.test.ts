import type { Media } from '../api';
import { byNewest, mergeMedia } from '../gallery';
import { safeNext, rememberNext, takeNext } from '../pending';

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
