import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { caseAttacks, caseObservables } from './case-observables.js';

const alerts = [
  {
    observables: [
      { kind: 'ip', type_id: 2, value: '203.0.113.9' },
      { kind: 'domain', type_id: 1, value: 'Evil.example' },
      { kind: 'ip', type_id: 2, value: '203.0.113.9' },
    ],
    attacks: [{ tactic: { uid: 'TA0011', name: 'Command and Control' }, technique: { uid: 'T1071' }, sub_technique: { uid: 'T1071.001' } }],
  },
  {
    observables: [
      { kind: 'domain', type_id: 1, value: 'evil.example' },
      { kind: 'user', type_id: 4, value: 'Alice' },
    ],
    attacks: [{ tactic: { uid: 'TA0011' }, technique: { uid: 'T1071' }, sub_technique: { uid: 'T1071.001' } }, { technique: { uid: 'T1059' } }, {}],
  },
  { observables: null, attacks: 'not a list' },
];

const step = (stepId: string, input: Record<string, unknown>, verdict: unknown) => ({
  at: '2026-01-01T00:00:00.000Z',
  kind: 'step_finished',
  stepId,
  data: { action: `x.${stepId}`, input, output: { verdict } },
});

describe('case observables', () => {
  test('deduplicated across alerts (domains without case), counted once per alert', () => {
    const obs = caseObservables(alerts, []);
    assert.deepEqual(
      obs.map((o) => [o.kind, o.value, o.alertCount, o.verdict]),
      [
        ['ip', '203.0.113.9', 1, null],
        ['domain', 'Evil.example', 2, null],
        ['user', 'Alice', 1, null],
      ],
    );
  });

  test('verdicts come from step outputs, matched on the step input values; the worst one wins', () => {
    const obs = caseObservables(alerts, [
      step('a', { ip: '203.0.113.9' }, 'clean'),
      step('b', { ips: ['203.0.113.9', '198.51.100.1'] }, 'malicious'),
      step('c', { domain: 'EVIL.EXAMPLE' }, 'suspicious'),
      step('d', { user: 'alice' }, 'malicious'),
      step('e', { ip: '203.0.113.9' }, 42),
      { at: '2026-01-01T00:00:00.000Z', kind: 'step_failed', stepId: 'f', data: { input: { ip: '203.0.113.9' }, output: { verdict: 'malicious' } } },
    ]);
    const byKind = Object.fromEntries(obs.map((o) => [o.kind, o]));
    assert.equal(byKind['ip']!.verdict, 'malicious');
    assert.deepEqual(
      byKind['ip']!.verdicts.map((v) => [v.stepId, v.verdict, v.action]),
      [
        ['a', 'clean', 'x.a'],
        ['b', 'malicious', 'x.b'],
      ],
    );
    assert.equal(byKind['domain']!.verdict, 'suspicious');
    assert.equal(byKind['user']!.verdict, null, 'user names compare with case');
  });

  test('ATT&CK combinations once each', () => {
    assert.deepEqual(caseAttacks(alerts), [
      { tactic: { uid: 'TA0011', name: 'Command and Control' }, technique: { uid: 'T1071' }, subTechnique: { uid: 'T1071.001' } },
      { tactic: null, technique: { uid: 'T1059' }, subTechnique: null },
    ]);
  });
});
