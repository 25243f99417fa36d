import { DateTime } from 'luxon';
import { parseHhmm, WEEKDAYS, type Weekday } from './calendar.js';

/**
 * On-call rotas, pure: who is on duty at an instant. A rota has layers of people who take turns
 * (daily, weekly or every N hours) with handoffs at a wall-clock time in the rota's zone, so a
 * 09:00 handoff stays at 09:00 across daylight-saving changes (that shift is an hour shorter or
 * longer). The last layer that covers the instant answers (a restricted layer covers only its
 * windows, and lower layers fill the rest); an override for a period replaces one person, or
 * whoever is on duty, with another.
 */

export const ROTATIONS = ['daily', 'weekly', 'hours'] as const;
export type Rotation = (typeof ROTATIONS)[number];

/** A local window a restricted layer covers: on `days` (all when omitted), `start` to `end` (HH:MM, end after start). */
export interface LayerRestriction {
  days?: readonly Weekday[];
  start: string;
  end: string;
}

export interface RotaLayer {
  name?: string;
  /** Vigil user ids, in turn order. */
  members: readonly string[];
  rotation: Rotation;
  /** For `hours`: length of one turn in hours. */
  everyHours?: number;
  /** Local wall-clock time of the handoff, `HH:MM`. */
  handoffTime: string;
  /** For `weekly`: the weekday of the handoff (default `mon`). */
  handoffDay?: Weekday;
  /** From this instant on the layer runs; the first member's turn includes it. */
  startsAt: Date | string;
  restrictions?: readonly LayerRestriction[];
}

export interface RotaOverride {
  from: Date | string;
  to: Date | string;
  /** Who is on duty instead. */
  userId: string;
  /** Whom they replace; null or omitted: whoever is on duty (also when nobody is). */
  replaces?: string | null;
}

export interface Rota {
  timeZone: string;
  layers: readonly RotaLayer[];
  overrides?: readonly RotaOverride[];
}

export interface OnDuty {
  /** Who answers at the instant, or null when no layer covers it and no override applies. */
  userId: string | null;
  /** Index of the layer that answered (before any override), or null. */
  layer: number | null;
  /** The turn of the layer that answered: when it began and when the next handoff is. */
  shiftStartsAt: Date | null;
  shiftEndsAt: Date | null;
  /** Set when an override answered: the person the layers would have named (or null). */
  override: { userId: string; replaces: string | null; from: Date; to: Date } | null;
}

const MINUTE = 60_000;
const toMs = (t: Date | string): number => (typeof t === 'string' ? Date.parse(t) : t.getTime());

/** An instant's wall-clock reading in `zone`, as ms on a naive (UTC) time line. */
function wallClock(t: number, zone: string): number {
  const local = DateTime.fromMillis(t, { zone });
  return t + local.offset * MINUTE;
}

/** The instant a naive wall-clock reading names in `zone` (a reading inside a spring-forward gap moves past it). */
function instantOf(wall: number, zone: string): number {
  const w = DateTime.fromMillis(wall, { zone: 'UTC' });
  return DateTime.fromObject({ year: w.year, month: w.month, day: w.day, hour: w.hour, minute: w.minute, second: w.second, millisecond: w.millisecond }, { zone }).toMillis();
}

function periodMinutes(layer: RotaLayer): number {
  if (layer.rotation === 'daily') return 24 * 60;
  if (layer.rotation === 'weekly') return 7 * 24 * 60;
  const hours = layer.everyHours ?? 0;
  if (!(hours > 0)) throw new RangeError('an hourly rotation needs everyHours > 0');
  return Math.round(hours * 60);
}

/** The turn of `layer` at `t` as [index, start, end] on the wall-clock line, or null before the layer starts. */
function turnAt(layer: RotaLayer, t: number, zone: string): { index: number; startWall: number; endWall: number } | null {
  const start = toMs(layer.startsAt);
  if (t < start) return null;
  const period = periodMinutes(layer) * MINUTE;
  const startWall = wallClock(start, zone);
  const day = DateTime.fromMillis(startWall, { zone: 'UTC' }).startOf('day');
  let base = day.toMillis() + (parseHhmm(layer.handoffTime) ?? 0) * MINUTE;
  if (layer.rotation === 'weekly') {
    const target = WEEKDAYS.indexOf(layer.handoffDay ?? 'mon') + 1;
    base -= ((day.weekday - target + 7) % 7) * 24 * 60 * MINUTE;
  }
  // The grid of handoffs goes through `base`; the layer's first turn is the one containing its start.
  const anchor = base + Math.floor((startWall - base) / period) * period;
  const index = Math.floor((wallClock(t, zone) - anchor) / period);
  // A fall-back hour can put an instant just after the start back before it on the wall clock.
  const i = Math.max(0, index);
  return { index: i, startWall: anchor + i * period, endWall: anchor + (i + 1) * period };
}

function restrictionsAllow(layer: RotaLayer, t: number, zone: string): boolean {
  if (!layer.restrictions || layer.restrictions.length === 0) return true;
  const local = DateTime.fromMillis(t, { zone });
  const minute = local.hour * 60 + local.minute;
  const day = WEEKDAYS[local.weekday - 1]!;
  return layer.restrictions.some((r) => (!r.days || r.days.length === 0 || r.days.includes(day)) && minute >= (parseHhmm(r.start) ?? 0) && minute < (parseHhmm(r.end) ?? 0));
}

/** Who is on duty in `rota` at `at`. */
export function whoIsOnDuty(rota: Rota, at: Date): OnDuty {
  const t = at.getTime();
  let answer: OnDuty = { userId: null, layer: null, shiftStartsAt: null, shiftEndsAt: null, override: null };
  for (let i = rota.layers.length - 1; i >= 0; i--) {
    const layer = rota.layers[i]!;
    if (layer.members.length === 0 || !restrictionsAllow(layer, t, rota.timeZone)) continue;
    const turn = turnAt(layer, t, rota.timeZone);
    if (!turn) continue;
    answer = {
      userId: layer.members[turn.index % layer.members.length]!,
      layer: i,
      shiftStartsAt: new Date(Math.max(instantOf(turn.startWall, rota.timeZone), toMs(layer.startsAt))),
      shiftEndsAt: new Date(instantOf(turn.endWall, rota.timeZone)),
      override: null,
    };
    break;
  }
  // The override added last wins when several cover the instant.
  const overrides = rota.overrides ?? [];
  for (let k = overrides.length - 1; k >= 0; k--) {
    const o = overrides[k]!;
    const from = toMs(o.from);
    const to = toMs(o.to);
    if (t < from || t >= to) continue;
    const replaces = o.replaces ?? null;
    if (replaces !== null && replaces !== answer.userId) continue;
    return { ...answer, userId: o.userId, override: { userId: o.userId, replaces: answer.userId, from: new Date(from), to: new Date(to) } };
  }
  return answer;
}

/** Every user id a rota names (layer members, override people), for validation against the tenant's users. */
export function rotaUserIds(rota: Pick<Rota, 'layers' | 'overrides'>): string[] {
  const ids = new Set<string>();
  for (const layer of rota.layers) for (const m of layer.members) ids.add(m);
  for (const o of rota.overrides ?? []) {
    ids.add(o.userId);
    if (o.replaces) ids.add(o.replaces);
  }
  return [...ids];
}
