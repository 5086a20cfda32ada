// Which items of a gallery are selected, in the order the grid shows them:
// a tap toggles one, a shift-click takes the run from the last tapped, a
// day's heading takes or leaves its whole day.
import type { Media } from './api';
import { dayOf } from './grid';

/** One item in or out. */
export function toggle(selected: ReadonlySet<string>, id: string): Set<string> {
  const next = new Set(selected);
  if (!next.delete(id)) next.add(id);
  return next;
}

/** The items from anchor to id (either order) join the selection; without an anchor in view, just id. */
export function selectRange(items: Media[], selected: ReadonlySet<string>, anchor: string | undefined, id: string): Set<string> {
  const a = anchor ? items.findIndex((m) => m.id === anchor) : -1;
  const b = items.findIndex((m) => m.id === id);
  if (a < 0 || b < 0) return toggle(selected, id);
  const next = new Set(selected);
  for (let i = Math.min(a, b); i <= Math.max(a, b); i++) next.add(items[i].id);
  return next;
}

/** A whole day: taken if any of it is not selected yet, left if all of it is. */
export function toggleDay(items: Media[], selected: ReadonlySet<string>, day: string): Set<string> {
  const ids = items.filter((m) => dayOf(m) === day).map((m) => m.id);
  const next = new Set(selected);
  const all = ids.every((id) => next.has(id));
  for (const id of ids) {
    if (all) next.delete(id);
    else next.add(id);
  }
  return next;
}

/** Whether every item of a day is selected. */
export function daySelected(items: Media[], selected: ReadonlySet<string>, day: string): boolean {
  const ids = items.filter((m) => dayOf(m) === day);
  return ids.length > 0 && ids.every((m) => selected.has(m.id));
}
