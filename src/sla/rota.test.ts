import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Rota, rotaUserIds, whoIsOnDuty } from './rota.js';

const at = (iso: string): Date => new Date(iso);
const who = (rota: Rota, iso: string): string | null => whoIsOnDuty(rota, at(iso)).userId;

describe('whoIsOnDuty', () => {
  // Daily at 09:00 Berlin time from Friday 27 March 2026 (the night of 28/29 March springs forward).
  const berlin: Rota = {
    timeZone: 'Europe/Berlin',
    layers: [{ members: ['ana', 'ben', 'cem'], rotation: 'daily', handoffTime: '09:00', startsAt: '2026-03-27T08:00:00Z' }],
  };

  test('daily handoffs at 09:00 local, across the spring-forward night', () => {
    assert.equal(who(berlin, '2026-03-27T07:59:59Z'), null); // before the rota starts
    assert.equal(who(berlin, '2026-03-27T08:00:00Z'), 'ana');
    assert.equal(who(berlin, '2026-03-28T07:59:59Z'), 'ana'); // Saturday 08:59:59 CET
    assert.equal(who(berlin, '2026-03-28T08:00:00Z'), 'ben');
    assert.equal(who(berlin, '2026-03-29T06:59:59Z'), 'ben'); // Sunday 08:59:59 CEST
    assert.equal(who(berlin, '2026-03-29T07:00:00Z'), 'cem'); // Sunday 09:00 CEST
    assert.equal(who(berlin, '2026-03-30T07:00:00Z'), 'ana');
    const shift = whoIsOnDuty(berlin, at('2026-03-28T12:00:00Z'));
    assert.equal(shift.shiftStartsAt!.toISOString(), '2026-03-28T08:00:00.000Z');
    assert.equal(shift.shiftEndsAt!.toISOString(), '2026-03-29T07:00:00.000Z'); // a 23-hour turn
  });

  test('daily handoffs at 09:00 local across the fall-back night: a 25-hour turn', () => {
    const r: Rota = { ...berlin, layers: [{ ...berlin.layers[0]!, startsAt: '2026-10-23T07:00:00Z' }] }; // Friday 09:00 CEST
    assert.equal(who(r, '2026-10-24T07:00:00Z'), 'ben'); // Saturday 09:00 CEST
    assert.equal(who(r, '2026-10-25T07:59:59Z'), 'ben'); // Sunday 08:59:59 CET
    assert.equal(who(r, '2026-10-25T08:00:00Z'), 'cem'); // Sunday 09:00 CET
    const turn = whoIsOnDuty(r, at('2026-10-25T01:30:00Z'));
    assert.equal(turn.shiftEndsAt!.getTime() - turn.shiftStartsAt!.getTime(), 25 * 3_600_000);
  });

  test('a rota that starts between handoffs gives its first member the rest of that turn', () => {
    const r: Rota = { ...berlin, layers: [{ ...berlin.layers[0]!, startsAt: '2026-03-27T15:00:00Z' }] };
    assert.equal(who(r, '2026-03-27T15:00:00Z'), 'ana');
    assert.equal(whoIsOnDuty(r, at('2026-03-27T15:00:00Z')).shiftStartsAt!.toISOString(), '2026-03-27T15:00:00.000Z');
    assert.equal(who(r, '2026-03-28T08:00:00Z'), 'ben');
  });

  test('weekly handoffs on Monday 08:00 New York time across fall back', () => {
    const r: Rota = {
      timeZone: 'America/New_York',
      layers: [{ members: ['dee', 'eli'], rotation: 'weekly', handoffDay: 'mon', handoffTime: '08:00', startsAt: '2026-10-26T12:00:00Z' }],
    };
    assert.equal(who(r, '2026-11-02T12:59:00Z'), 'dee'); // Monday 2 November 07:59 EST
    assert.equal(who(r, '2026-11-02T13:00:00Z'), 'eli'); // 08:00 EST
    const turn = whoIsOnDuty(r, at('2026-10-30T00:00:00Z'));
    assert.equal(turn.shiftEndsAt!.getTime() - turn.shiftStartsAt!.getTime(), (7 * 24 + 1) * 3_600_000);
    assert.equal(who(r, '2026-11-09T13:00:00Z'), 'dee');
  });

  test('every 12 hours with handoffs at 08:00 and 20:00 local, also on the spring-forward day', () => {
    const r: Rota = {
      timeZone: 'America/New_York',
      layers: [{ members: ['fay', 'gus'], rotation: 'hours', everyHours: 12, handoffTime: '08:00', startsAt: '2026-03-07T13:00:00Z' }],
    };
    assert.equal(who(r, '2026-03-07T13:00:00Z'), 'fay'); // Saturday 08:00 EST
    assert.equal(who(r, '2026-03-08T00:59:00Z'), 'fay'); // 19:59 EST
    assert.equal(who(r, '2026-03-08T01:00:00Z'), 'gus'); // 20:00 EST
    assert.equal(who(r, '2026-03-08T11:59:00Z'), 'gus'); // Sunday 07:59 EDT: an 11-hour night
    assert.equal(who(r, '2026-03-08T12:00:00Z'), 'fay'); // 08:00 EDT
  });

  test('a restricted upper layer covers office hours; the lower layer covers the rest', () => {
    const r: Rota = {
      timeZone: 'Europe/Berlin',
      layers: [
        berlin.layers[0]!,
        {
          members: ['hal'],
          rotation: 'weekly',
          handoffTime: '00:00',
          startsAt: '2026-03-01T00:00:00Z',
          restrictions: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' }],
        },
      ],
    };
    assert.equal(who(r, '2026-03-30T10:00:00Z'), 'hal'); // Monday 12:00 CEST
    assert.equal(whoIsOnDuty(r, at('2026-03-30T10:00:00Z')).layer, 1);
    assert.equal(who(r, '2026-03-30T16:00:00Z'), 'ana'); // Monday 18:00 CEST
    assert.equal(who(r, '2026-03-28T10:00:00Z'), 'ben'); // Saturday
  });

  test('overrides replace one person, or whoever is on duty, for their period', () => {
    const r: Rota = {
      ...berlin,
      overrides: [
        { from: '2026-03-28T12:00:00Z', to: '2026-03-28T14:00:00Z', userId: 'zoe', replaces: 'ben' },
        { from: '2026-03-27T12:00:00Z', to: '2026-03-27T14:00:00Z', userId: 'zoe', replaces: 'ben' },
        { from: '2026-03-30T00:00:00Z', to: '2026-03-30T01:00:00Z', userId: 'yan' },
      ],
    };
    assert.equal(who(r, '2026-03-28T12:00:00Z'), 'zoe');
    assert.deepEqual(whoIsOnDuty(r, at('2026-03-28T13:00:00Z')).override?.replaces, 'ben');
    assert.equal(who(r, '2026-03-28T14:00:00Z'), 'ben');
    assert.equal(who(r, '2026-03-27T12:30:00Z'), 'ana'); // ana's turn: the override names ben
    assert.equal(who(r, '2026-03-30T00:30:00Z'), 'yan');
    assert.deepEqual(rotaUserIds(r).sort(), ['ana', 'ben', 'cem', 'yan', 'zoe']);
  });
});
