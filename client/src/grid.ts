// The gallery's grid as rows: a heading for each day the photos were taken
// (as the camera's calendar had it, where they were taken), then rows of
// tiles. The list stays flat so it can be virtualized like any other.
import type { Media } from './api';

export type GridRow =
  | { key: string; kind: 'day'; day: string; label: string; count: number }
  | { key: string; kind: 'tiles'; items: Media[] };

/** The calendar day of an item where it was taken ("2020-02-19"). */
export function dayOf(m: Media): string {
  return (m.taken_at_local ?? m.taken_at).slice(0, 10);
}

/** "Wednesday, 19 February 2020" in the reader's language; the year only when it is not this one. */
export function formatDay(day: string, today = new Date()): string {
  const [y, mo, d] = day.split('-').map(Number);
  if (!y || !mo || !d) return day;
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.toLocaleDateString(undefined, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: y === today.getFullYear() ? undefined : 'numeric',
    timeZone: 'UTC',
  });
}

/**
 * Splits items (in the gallery's order) into a heading per run of items taken
 * the same day and rows of at most `columns` tiles under it. Items taken in
 * other time zones can interleave days; each run gets its own heading.
 */
export function gridRows(items: Media[], columns: number, today = new Date()): GridRow[] {
  const rows: GridRow[] = [];
  let i = 0;
  while (i < items.length) {
    const day = dayOf(items[i]);
    let end = i;
    while (end < items.length && dayOf(items[end]) === day) end++;
    rows.push({ key: `day-${day}-${items[i].id}`, kind: 'day', day, label: formatDay(day, today), count: end - i });
    for (let r = i; r < end; r += columns) {
      const chunk = items.slice(r, Math.min(r + columns, end));
      rows.push({ key: `row-${chunk[0].id}`, kind: 'tiles', items: chunk });
    }
    i = end;
  }
  return rows;
}

/** Up to two letters that stand for a person in small places: "Ann Lee" → "AL". */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words.slice(0, 1);
  return letters
    .map((w) => Array.from(w)[0] ?? '')
    .join('')
    .toUpperCase();
}

/** A colour of its own for each person, the same on every screen. */
export function personColor(id: string): string {
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) % 360;
  // Dark enough for white letters (AA contrast) at any hue.
  return `hsl(${h}, 55%, 32%)`;
}

/**
 * The first instant after a month ("2026-03" → "2026-04-01T00:00:00Z"): the
 * gallery from that month on is what was taken before it.
 */
export function monthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 1)).toISOString().replace('.000Z', 'Z');
}

/** A place to jump to in a long gallery: a month, or a whole year when there are many months. */
export type JumpTarget = { key: string; label: string; until: string; count: number };

/**
 * Where a long gallery can jump to: each month (newest first), or each year
 * once there are more than a year's worth of months to choose from.
 */
export function jumpTargets(months: { month: string; count: number }[], most = 12): JumpTarget[] {
  const label = (y: number, m?: number) =>
    new Date(Date.UTC(y, (m ?? 1) - 1, 1)).toLocaleDateString(undefined, { month: m ? 'short' : undefined, year: 'numeric', timeZone: 'UTC' });
  if (months.length <= most) {
    return months.map(({ month, count }) => {
      const [y, m] = month.split('-').map(Number);
      return { key: month, label: label(y, m), until: monthEnd(month), count };
    });
  }
  const years = new Map<number, number>();
  for (const { month, count } of months) {
    const y = Number(month.slice(0, 4));
    years.set(y, (years.get(y) ?? 0) + count);
  }
  return [...years].map(([y, count]) => ({ key: String(y), label: label(y), until: monthEnd(`${y}-12`), count }));
}
