import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findAction } from '../../integrations/index.js';
import { ESCALATION_CHANNELS, planEscalation } from './escalation.js';
import type { Rota } from './rota.js';

describe('escalation', () => {
  test('every channel is a notification action of the catalogue', () => {
    for (const key of ESCALATION_CHANNELS) assert.equal(findAction(key)?.kind, 'notification', key);
  });

  test('levels are paged after the delays, with whoever is on duty at each level', () => {
    const soc: Rota = { timeZone: 'UTC', layers: [{ members: ['ana', 'ben'], rotation: 'hours', everyHours: 1, handoffTime: '00:00', startsAt: '2026-03-09T00:00:00Z' }] };
    const plan = planEscalation(
      [
        { rotas: ['soc'], users: [], channels: ['slack.post_message'], delaySeconds: 1800 },
        { rotas: ['soc', 'gone'], users: ['lead'], channels: ['pagerduty.trigger', 'email.send'], delaySeconds: 0 },
      ],
      new Date('2026-03-09T10:45:00Z'),
      new Map([['soc', soc]]),
    );
    assert.deepEqual(
      plan.map((p) => [p.at.toISOString(), p.userIds, p.uncoveredRotas]),
      [
        ['2026-03-09T10:45:00.000Z', ['ana'], []],
        ['2026-03-09T11:15:00.000Z', ['lead', 'ben'], ['gone']],
      ],
    );
  });
});
