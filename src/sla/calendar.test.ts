import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addWorkingTime, type BusinessCalendar, calendarIssues, isCounting, workingTimeBetween } from './calendar.js';

const H = 3_600_000;
const M = 60_000;
const at = (iso: string): Date => new Date(iso);
const WEEKDAY_9_17 = {
  mon: [{ start: '09:00', end: '17:00' }],
  tue: [{ start: '09:00', end: '17:00' }],
  wed: [{ start: '09:00', end: '17:00' }],
  thu: [{ start: '09:00', end: '17:00' }],
  fri: [{ start: '09:00', end: '17:00' }],
};
const berlinOffice: BusinessCalendar = { timeZone: 'Europe/Berlin', kind: 'business_hours', hours: WEEKDAY_9_17 };
const utcOffice: BusinessCalendar = { timeZone: 'UTC', kind: 'business_hours', hours: WEEKDAY_9_17 };
/** Every day 00:00–12:00: a business day that contains the DST change (at 02:00/03:00 local). */
const mornings = (timeZone: string): BusinessCalendar => ({
  timeZone,
  kind: 'business_hours',
  hours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '12:00' }]])),
});

describe('addWorkingTime and workingTimeBetween', () => {
  test('a 24/7 calendar counts every instant', () => {
    assert.equal(addWorkingTime(at('2026-03-06T23:30:00Z'), 90 * M, { timeZone: 'UTC', kind: '24x7' })!.toISOString(), '2026-03-07T01:00:00.000Z');
    assert.equal(workingTimeBetween(at('2026-03-06T23:30:00Z'), at('2026-03-07T01:00:00Z'), { timeZone: 'Europe/Berlin', kind: '24x7' }), 90 * M);
  });

  test('business hours skip the weekend (Friday 16:00 + 2 h is Monday 10:00, Berlin time)', () => {
    const due = addWorkingTime(at('2026-03-06T15:00:00Z'), 2 * H, berlinOffice)!;
    assert.equal(due.toISOString(), '2026-03-09T09:00:00.000Z');
    assert.equal(workingTimeBetween(at('2026-03-06T15:00:00Z'), due, berlinOffice), 2 * H);
  });

  test('a holiday closes the whole local day', () => {
    const cal: BusinessCalendar = { ...berlinOffice, holidays: ['2026-03-09'] };
    assert.equal(addWorkingTime(at('2026-03-06T15:00:00Z'), 2 * H, cal)!.toISOString(), '2026-03-10T09:00:00.000Z');
    assert.equal(workingTimeBetween(at('2026-03-06T15:00:00Z'), at('2026-03-10T09:00:00Z'), cal), 2 * H);
  });

  test('a start inside non-working time waits for the next opening', () => {
    assert.equal(addWorkingTime(at('2026-03-07T11:00:00Z'), 1 * H, berlinOffice)!.toISOString(), '2026-03-09T09:00:00.000Z');
    assert.equal(addWorkingTime(at('2026-03-09T05:00:00Z'), 30 * M, berlinOffice)!.toISOString(), '2026-03-09T08:30:00.000Z');
    assert.equal(isCounting(at('2026-03-07T11:00:00Z'), berlinOffice), false);
    assert.equal(isCounting(at('2026-03-09T08:00:00Z'), berlinOffice), true);
  });

  test('several spans a day', () => {
    const cal: BusinessCalendar = {
      timeZone: 'UTC',
      kind: 'business_hours',
      hours: {
        mon: [
          { start: '13:00', end: '17:00' },
          { start: '09:00', end: '12:00' },
        ],
      },
    };
    assert.equal(addWorkingTime(at('2026-03-09T11:30:00Z'), 1 * H, cal)!.toISOString(), '2026-03-09T13:30:00.000Z');
    // Monday 16:00 + 2 h: one hour left today, the next on the following Monday.
    assert.equal(addWorkingTime(at('2026-03-09T16:00:00Z'), 2 * H, cal)!.toISOString(), '2026-03-16T10:00:00.000Z');
  });

  test('the same local hours in two zones give different instants', () => {
    const tokyo: BusinessCalendar = { ...utcOffice, timeZone: 'Asia/Tokyo' };
    const newYork: BusinessCalendar = { ...utcOffice, timeZone: 'America/New_York' };
    const start = at('2026-03-10T12:00:00Z'); // Tokyo 21:00 (closed), New York 08:00 EDT (opens at 09:00)
    assert.equal(addWorkingTime(start, 1 * H, tokyo)!.toISOString(), '2026-03-11T01:00:00.000Z');
    assert.equal(addWorkingTime(start, 1 * H, newYork)!.toISOString(), '2026-03-10T14:00:00.000Z');
  });

  test('Europe/Berlin spring forward: the day 00:00–12:00 has 11 hours', () => {
    const cal = mornings('Europe/Berlin');
    const start = at('2026-03-28T23:00:00Z'); // Sunday 29 March 00:00 CET
    assert.equal(workingTimeBetween(start, at('2026-03-29T10:00:00Z'), cal), 11 * H); // 12:00 CEST
    assert.equal(addWorkingTime(start, 11 * H, cal)!.toISOString(), '2026-03-29T10:00:00.000Z');
    assert.equal(addWorkingTime(start, 12 * H, cal)!.toISOString(), '2026-03-29T23:00:00.000Z'); // Monday 01:00 CEST
  });

  test('Europe/Berlin fall back: the day 00:00–12:00 has 13 hours', () => {
    const cal = mornings('Europe/Berlin');
    const start = at('2026-10-24T22:00:00Z'); // Sunday 25 October 00:00 CEST
    assert.equal(workingTimeBetween(start, at('2026-10-25T11:00:00Z'), cal), 13 * H); // 12:00 CET
    assert.equal(addWorkingTime(start, 13 * H, cal)!.toISOString(), '2026-10-25T11:00:00.000Z');
    assert.equal(addWorkingTime(start, 14 * H, cal)!.toISOString(), '2026-10-26T00:00:00.000Z'); // Monday 00:00 CET + 1 h
  });

  test('Europe/Berlin office hours keep 09:00–17:00 local across the change', () => {
    // Friday 27 March 16:00 CET + 2 h: Friday 1 h, Monday 30 March 09:00 CEST + 1 h.
    assert.equal(addWorkingTime(at('2026-03-27T15:00:00Z'), 2 * H, berlinOffice)!.toISOString(), '2026-03-30T08:00:00.000Z');
    // Friday 23 October 16:00 CEST + 2 h: Monday 26 October 10:00 CET.
    assert.equal(addWorkingTime(at('2026-10-23T14:00:00Z'), 2 * H, berlinOffice)!.toISOString(), '2026-10-26T09:00:00.000Z');
  });

  test('America/New_York spring forward and fall back in a day that contains the change', () => {
    const sundays: BusinessCalendar = { timeZone: 'America/New_York', kind: 'business_hours', hours: { sun: [{ start: '00:00', end: '06:00' }] } };
    // 8 March 2026: 02:00 EST jumps to 03:00 EDT, so 00:00–06:00 is 5 hours.
    assert.equal(workingTimeBetween(at('2026-03-08T05:00:00Z'), at('2026-03-08T10:00:00Z'), sundays), 5 * H);
    assert.equal(addWorkingTime(at('2026-03-08T05:00:00Z'), 5 * H, sundays)!.toISOString(), '2026-03-08T10:00:00.000Z');
    assert.equal(addWorkingTime(at('2026-03-08T05:00:00Z'), 5 * H + M, sundays)!.toISOString(), '2026-03-15T04:01:00.000Z');
    // 1 November 2026: 02:00 EDT falls back to 01:00 EST, so 00:00–06:00 is 7 hours.
    assert.equal(workingTimeBetween(at('2026-11-01T04:00:00Z'), at('2026-11-01T11:00:00Z'), sundays), 7 * H);
    assert.equal(addWorkingTime(at('2026-11-01T04:00:00Z'), 7 * H, sundays)!.toISOString(), '2026-11-01T11:00:00.000Z');
    // A 24/7 clock in New York counts real time straight through the change.
    assert.equal(addWorkingTime(at('2026-03-08T05:00:00Z'), 24 * H, { timeZone: 'America/New_York', kind: '24x7' })!.toISOString(), '2026-03-09T05:00:00.000Z');
  });

  test('a holiday on a 23-hour day closes 23 hours of a 24/7 calendar', () => {
    const cal: BusinessCalendar = { timeZone: 'Europe/Berlin', kind: '24x7', holidays: ['2026-03-29'] };
    assert.equal(addWorkingTime(at('2026-03-28T22:00:00Z'), 2 * H, cal)!.toISOString(), '2026-03-29T23:00:00.000Z');
    assert.equal(workingTimeBetween(at('2026-03-28T22:00:00Z'), at('2026-03-29T23:00:00Z'), cal), 2 * H);
  });

  test('pauses inside working time add their length', () => {
    const pauses = [{ from: at('2026-03-09T10:00:00Z'), to: at('2026-03-09T11:00:00Z') }];
    assert.equal(addWorkingTime(at('2026-03-09T09:00:00Z'), 2 * H, utcOffice, pauses)!.toISOString(), '2026-03-09T12:00:00.000Z');
    assert.equal(workingTimeBetween(at('2026-03-09T09:00:00Z'), at('2026-03-09T12:00:00Z'), utcOffice, pauses), 2 * H);
  });

  test('a pause across the weekend costs only the working time it covers', () => {
    const pauses = [{ from: at('2026-03-06T16:30:00Z'), to: at('2026-03-09T09:30:00Z') }];
    assert.equal(addWorkingTime(at('2026-03-06T16:00:00Z'), 1 * H, utcOffice, pauses)!.toISOString(), '2026-03-09T10:00:00.000Z');
    // Overlapping and out-of-order pauses merge.
    const messy = [{ from: at('2026-03-09T09:15:00Z'), to: at('2026-03-09T09:45:00Z') }, ...pauses];
    assert.equal(addWorkingTime(at('2026-03-06T16:00:00Z'), 1 * H, utcOffice, messy)!.toISOString(), '2026-03-09T10:15:00.000Z');
    // A pause entirely outside working time changes nothing.
    const night = [{ from: at('2026-03-09T18:00:00Z'), to: at('2026-03-10T08:00:00Z') }];
    assert.equal(addWorkingTime(at('2026-03-09T16:00:00Z'), 2 * H, utcOffice, night)!.toISOString(), '2026-03-10T10:00:00.000Z');
  });

  test('an open pause stops the clock: no due instant, and no time counted after it began', () => {
    const pauses = [{ from: at('2026-03-09T10:00:00Z'), to: null }];
    assert.equal(addWorkingTime(at('2026-03-09T09:00:00Z'), 2 * H, utcOffice, pauses), null);
    assert.equal(addWorkingTime(at('2026-03-09T09:00:00Z'), 30 * M, utcOffice, pauses)!.toISOString(), '2026-03-09T09:30:00.000Z');
    assert.equal(workingTimeBetween(at('2026-03-09T09:00:00Z'), at('2026-03-20T09:00:00Z'), utcOffice, pauses), 1 * H);
    assert.equal(addWorkingTime(at('2026-03-09T09:00:00Z'), 2 * H, { timeZone: 'UTC', kind: '24x7' }, pauses), null);
  });

  test('zero and very long durations', () => {
    assert.equal(addWorkingTime(at('2026-03-07T11:00:00Z'), 0, berlinOffice)!.toISOString(), '2026-03-07T11:00:00.000Z');
    assert.equal(workingTimeBetween(at('2026-03-07T11:00:00Z'), at('2026-03-07T11:00:00Z'), berlinOffice), 0);
    const tenYears = 10 * 365 * 24 * H;
    assert.equal(addWorkingTime(at('2026-01-01T00:00:00Z'), tenYears, { timeZone: 'UTC', kind: '24x7' })!.getTime(), Date.parse('2026-01-01T00:00:00Z') + tenYears);
    // Two thousand business hours (a year of 8-hour days) and back again, with holidays on the way.
    const cal: BusinessCalendar = { ...berlinOffice, holidays: ['2026-12-24', '2026-12-25', '2027-01-01'] };
    const start = at('2026-03-06T15:00:00Z');
    const due = addWorkingTime(start, 2000 * H, cal)!;
    assert.equal(workingTimeBetween(start, due, cal), 2000 * H);
    assert.ok(due.getTime() > Date.parse('2027-01-01T00:00:00Z') && due.getTime() < Date.parse('2027-03-31T00:00:00Z'), due.toISOString());
    assert.equal(workingTimeBetween(due, start, cal), -2000 * H);
    assert.throws(() => addWorkingTime(start, -1, cal), RangeError);
  });
});

describe('calendarIssues', () => {
  test('names the bad fields', () => {
    const issues = calendarIssues({
      timeZone: 'Mars/Olympus',
      kind: 'business_hours',
      holidays: ['2026-12-25', '2026-02-30', 'christmas'],
      hours: {
        mon: [{ start: '17:00', end: '09:00' }],
        tue: [
          { start: '09:00', end: '12:00' },
          { start: '11:00', end: '13:00' },
        ],
      },
    });
    assert.deepEqual(
      issues.map((i) => i.path),
      ['timeZone', 'holidays.1', 'holidays.2', 'hours.mon.0.end', 'hours.tue.1'],
    );
    assert.deepEqual(
      calendarIssues({ timeZone: 'UTC', kind: 'business_hours', hours: {} }).map((i) => i.path),
      ['hours'],
    );
    assert.deepEqual(calendarIssues(berlinOffice), []);
  });
});
