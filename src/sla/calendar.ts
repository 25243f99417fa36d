import { DateTime, IANAZone } from 'luxon';

/**
 * Working-time arithmetic for SLA clocks: pure functions over instants (epoch milliseconds or Dates),
 * a business calendar (24/7 or hours per weekday, an IANA zone, holidays) and pauses (on hold).
 * Local times are read in the calendar's zone, so a business day keeps its wall-clock hours across
 * daylight-saving changes and a 24/7 day lasts 23 or 25 real hours on a change day. Activities call
 * these; the durable-clock workflow only sleeps until the instants they return.
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Local wall-clock interval on one day: `HH:MM` to `HH:MM` (end after start; `24:00` ends the day). */
export interface DailyInterval {
  start: string;
  end: string;
}

export interface BusinessCalendar {
  /** IANA time zone the hours and holidays are read in. */
  timeZone: string;
  /** `24x7`: every instant is working time (holidays still close whole days). */
  kind: '24x7' | 'business_hours';
  /** Business hours per weekday; a missing or empty day is closed. Ignored for `24x7`. */
  hours?: Partial<Record<Weekday, readonly DailyInterval[]>>;
  /** ISO dates (`2026-12-25`): whole days closed, in the calendar's zone. */
  holidays?: readonly string[];
}

/** A span in which a clock does not count (the case was on hold). `to: null` is still going on. */
export interface Pause {
  from: Date | number;
  to: Date | number | null;
}

/** The calendar that counts every instant: the default when a policy names none. */
export const ALWAYS_OPEN: BusinessCalendar = { timeZone: 'UTC', kind: '24x7' };

const HHMM = /^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isTimeZone(zone: string): boolean {
  return typeof zone === 'string' && zone.length > 0 && IANAZone.isValidZone(zone);
}

/** Minutes after local midnight for `HH:MM`, or null when it is not a time of day (24:00 is allowed). */
export function parseHhmm(value: string): number | null {
  const m = HHMM.exec(value);
  if (!m) return null;
  return m[3] ? 24 * 60 : Number(m[1]) * 60 + Number(m[2]);
}

/** A real calendar date written `YYYY-MM-DD` (not 2026-02-30). */
export function isIsoDate(value: string): boolean {
  return typeof value === 'string' && ISO_DATE.test(value) && DateTime.fromISO(value, { zone: 'UTC' }).isValid;
}

/** Why a calendar cannot be used, as `{path, message}` issues (empty when it is fine). */
export function calendarIssues(calendar: BusinessCalendar): Array<{ path: string; message: string }> {
  const issues: Array<{ path: string; message: string }> = [];
  if (!isTimeZone(calendar.timeZone)) issues.push({ path: 'timeZone', message: `'${calendar.timeZone}' is not an IANA time zone` });
  (calendar.holidays ?? []).forEach((d, i) => {
    if (!isIsoDate(d)) issues.push({ path: `holidays.${i}`, message: `'${String(d)}' is not an ISO date (YYYY-MM-DD)` });
  });
  if (calendar.kind === 'business_hours') {
    let any = false;
    for (const day of WEEKDAYS) {
      const spans = (calendar.hours?.[day] ?? []).map((s, i) => ({ s: parseHhmm(s.start), e: parseHhmm(s.end), i }));
      for (const span of spans) {
        if (span.s === null || span.s === 24 * 60) issues.push({ path: `hours.${day}.${span.i}.start`, message: 'not a time of day (HH:MM)' });
        else if (span.e === null) issues.push({ path: `hours.${day}.${span.i}.end`, message: 'not a time of day (HH:MM, or 24:00)' });
        else if (span.e <= span.s) issues.push({ path: `hours.${day}.${span.i}.end`, message: 'ends before it starts (split a span over midnight into two days)' });
        else any = true;
      }
      const sorted = spans.filter((x) => x.s !== null && x.e !== null).sort((a, b) => a.s! - b.s!);
      for (let k = 1; k < sorted.length; k++) {
        if (sorted[k]!.s! < sorted[k - 1]!.e!) issues.push({ path: `hours.${day}.${sorted[k]!.i}`, message: 'overlaps another span of the same day' });
      }
    }
    if (!any) issues.push({ path: 'hours', message: 'business hours name no working time on any weekday' });
  }
  return issues;
}

const ms = (t: Date | number): number => (typeof t === 'number' ? t : t.getTime());

/** Pauses as sorted, merged [from, to) spans in ms; an open pause runs to +Infinity. */
function normalisePauses(pauses: readonly Pause[]): Array<[number, number]> {
  const spans = pauses.map((p): [number, number] => [ms(p.from), p.to === null ? Infinity : ms(p.to)]).filter(([a, b]) => b > a);
  spans.sort((x, y) => x[0] - y[0]);
  const merged: Array<[number, number]> = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push([span[0], span[1]]);
  }
  return merged;
}

/** The calendar's open spans per weekday in minutes, sorted (24/7: the whole day). */
function dailySpans(calendar: BusinessCalendar): Array<Array<[number, number]>> {
  return WEEKDAYS.map((day) => {
    if (calendar.kind === '24x7') return [[0, 24 * 60]];
    return (calendar.hours?.[day] ?? [])
      .map((s): [number, number] => [parseHhmm(s.start) ?? 0, parseHhmm(s.end) ?? 0])
      .filter(([a, b]) => b > a)
      .sort((a, b) => a[0] - b[0]);
  });
}

/**
 * Working spans [start, end) in epoch ms that end after `fromMs`, ascending and clipped to start at
 * `fromMs` or later; endless (a 24/7 calendar without holidays yields one span to +Infinity).
 */
export function* workingSpans(calendar: BusinessCalendar, fromMs: number): Generator<[number, number]> {
  const holidays = new Set(calendar.holidays ?? []);
  if (calendar.kind === '24x7' && holidays.size === 0) {
    yield [fromMs, Infinity];
    return;
  }
  const spans = dailySpans(calendar);
  if (spans.every((d) => d.length === 0)) return;
  const zone = calendar.timeZone;
  // Start one local day early: a span of the previous local day may still be open at `fromMs`.
  let day = DateTime.fromMillis(fromMs, { zone }).startOf('day').minus({ days: 1 });
  for (;;) {
    const date = day.toISODate()!;
    if (!holidays.has(date)) {
      for (const [a, b] of spans[day.weekday - 1]!) {
        const start = DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour: Math.floor(a / 60), minute: a % 60 }, { zone }).toMillis();
        const end = DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour: Math.floor(b / 60), minute: b % 60 }, { zone }).toMillis();
        if (end > fromMs && end > start) yield [Math.max(start, fromMs), end];
      }
    }
    day = day.plus({ days: 1 });
  }
}

/** Working spans minus pauses, from `fromMs` on. Stops at the start of an open-ended pause. */
function* countingSpans(calendar: BusinessCalendar, fromMs: number, pauses: Array<[number, number]>): Generator<[number, number]> {
  let p = 0;
  for (const [s0, e] of workingSpans(calendar, fromMs)) {
    let s = s0;
    while (s < e) {
      while (p < pauses.length && pauses[p]![1] <= s) p++;
      const pause = pauses[p];
      if (!pause || pause[0] >= e) {
        yield [s, e];
        break;
      }
      if (pause[0] > s) yield [s, pause[0]];
      if (pause[1] === Infinity) return;
      s = pause[1];
    }
    if (e === Infinity) return;
  }
}

/**
 * The instant a clock started at `start` runs out after `durationMs` of working time outside the
 * pauses: the due instant. A zero duration is due at `start`. Null while an open-ended pause (or
 * anything else) keeps the clock from ever reaching the duration.
 */
export function addWorkingTime(start: Date | number, durationMs: number, calendar: BusinessCalendar, pauses: readonly Pause[] = []): Date | null {
  if (!(durationMs >= 0) || !Number.isFinite(durationMs)) throw new RangeError(`duration must be a finite number of ms >= 0, got ${durationMs}`);
  const from = ms(start);
  if (durationMs === 0) return new Date(from);
  let left = durationMs;
  for (const [s, e] of countingSpans(calendar, from, normalisePauses(pauses))) {
    if (e - s >= left) return new Date(s + left);
    left -= e - s;
  }
  return null;
}

/** Working time outside the pauses between `a` and `b` (negative when `b` is before `a`). */
export function workingTimeBetween(a: Date | number, b: Date | number, calendar: BusinessCalendar, pauses: readonly Pause[] = []): number {
  const from = ms(a);
  const to = ms(b);
  if (to < from) return -workingTimeBetween(to, from, calendar, pauses);
  let total = 0;
  for (const [s, e] of countingSpans(calendar, from, normalisePauses(pauses))) {
    if (s >= to) break;
    total += Math.min(e, to) - s;
    if (e >= to) break;
  }
  return total;
}

/** Whether a clock counts at `t`: working time and not paused. */
export function isCounting(t: Date | number, calendar: BusinessCalendar, pauses: readonly Pause[] = []): boolean {
  const at = ms(t);
  const first = countingSpans(calendar, at, normalisePauses(pauses)).next();
  return !first.done && first.value[0] === at;
}
