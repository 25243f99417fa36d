import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { genericNormalizer } from './generic.normalizer.js';
import { attackKeys, NOW, observed, onlyAlert } from '../../../test/support/normalizer-testing.js';

const FULL = {
  title: 'Impossible travel for jdoe',
  severity: 'high',
  sourceId: 'my-tool-4711',
  description: 'Logins from NL and BR 5 minutes apart',
  time: '2026-03-02T11:15:30+0100',
  host: '10.1.4.142',
  user: 'jdoe',
  rule: 'impossible_travel',
  tactics: ['Initial Access', 'TA0006'],
  techniques: ['T1078', 'T1110.003'],
  product: { name: 'travel-watch', vendor: 'ACME' },
  observables: [
    { type: 'ip', value: '198.51.100[.]77' },
    { type: 'url', value: 'hxxps://login-corp[.]example/sso' },
    { type: 'email', value: 'JDoe[@]corp.example' },
    { type: 'sha256', value: '9785001B0DCF755EDDB8AF294A373C0B87B2498660F724E76C4D53F9C217C7A3' },
  ],
};

function failurePath(body: unknown): unknown {
  const result = genericNormalizer.normalize(body, NOW);
  assert.equal(result.alerts.length, 0);
  assert.equal(result.failures[0].code, 'invalid_alert');
  return result.failures[0].details?.['path'];
}

describe('generic normaliser', () => {
  test('maps a full generic alert', () => {
    const alert = onlyAlert(genericNormalizer.normalize(FULL, NOW));
    assert.equal(alert.finding_info.uid, 'my-tool-4711');
    assert.equal(alert.finding_info.title, 'Impossible travel for jdoe');
    assert.equal(alert.finding_info.desc, 'Logins from NL and BR 5 minutes apart');
    assert.equal(alert.severity_id, 4);
    assert.equal(alert.time, Date.UTC(2026, 2, 2, 10, 15, 30));
    assert.deepEqual(alert.device, { type_id: 0, type: 'Unknown', ip: '10.1.4.142' });
    assert.deepEqual(alert.actor, { user: { name: 'jdoe' } });
    assert.deepEqual(alert.finding_info.analytic, { name: 'impossible_travel', type: 'Rule', type_id: 1 });
    assert.deepEqual(alert.metadata.product, { name: 'travel-watch', vendor_name: 'ACME' });
    assert.deepEqual(attackKeys(alert), ['TA0001||', 'TA0006||', '|T1078|', '|T1110|T1110.003']);
    assert.deepEqual(observed(alert), [
      'ip:10.1.4.142',
      'user:jdoe',
      'url:https://login-corp.example/sso',
      'domain:login-corp.example',
      'ip:198.51.100.77',
      'email:jdoe@corp.example',
      'sha256:9785001b0dcf755eddb8af294a373c0b87b2498660f724e76c4d53f9c217c7a3',
    ]);
  });

  test('without sourceId the uid is sha256 of the canonical JSON, whatever the key order', () => {
    const expected = createHash('sha256').update('{"severity":"low","title":"x"}').digest('hex');
    assert.equal(expected, '7972ee8806195e619ff813c5bd093310ea2d1e16362f472244a636e35dc98eff');
    assert.equal(onlyAlert(genericNormalizer.normalize({ title: 'x', severity: 'low' }, NOW)).finding_info.uid, expected);
    assert.equal(onlyAlert(genericNormalizer.normalize({ severity: 'low', title: 'x' }, NOW)).finding_info.uid, expected);
    assert.notEqual(onlyAlert(genericNormalizer.normalize({ severity: 'low', title: 'y' }, NOW)).finding_info.uid, expected);
  });

  test('severity as a word in any case or an OCSF id 0–6', () => {
    const sev = (s: unknown) => onlyAlert(genericNormalizer.normalize({ title: 't', severity: s }, NOW));
    assert.equal(sev('informational').severity_id, 1);
    assert.equal(sev('Critical').severity_id, 5);
    assert.equal(sev(0).severity_id, 0);
    assert.deepEqual([sev(6).severity_id, sev(6).severity], [6, 'Fatal']);
  });

  test('time in every supported form, now when absent', () => {
    const t = (time: unknown) => onlyAlert(genericNormalizer.normalize({ title: 't', severity: 'low', time }, NOW)).time;
    assert.equal(t(1772446530), 1772446530000);
    assert.equal(t('1772446530000'), 1772446530000);
    assert.equal(t('2026-03-02T10:15:30.1234567Z'), Date.UTC(2026, 2, 2, 10, 15, 30, 123));
    assert.equal(onlyAlert(genericNormalizer.normalize({ title: 't', severity: 'low' }, NOW)).time, NOW);
  });

  test('names the path of every mistyped field', () => {
    assert.equal(failurePath({ severity: 'low' }), 'title');
    assert.equal(failurePath({ title: 42, severity: 'low' }), 'title');
    assert.equal(failurePath({ title: 't', severity: 'urgent' }), 'severity');
    assert.equal(failurePath({ title: 't', severity: 7 }), 'severity');
    assert.equal(failurePath({ title: 't', severity: 'low', time: 'yesterday' }), 'time');
    assert.equal(
      failurePath({
        title: 't',
        severity: 'low',
        observables: [
          { type: 'ip', value: '1.1.1.1' },
          { type: 'ipv4', value: '1.1.1.1' },
        ],
      }),
      'observables[1].type',
    );
    assert.equal(failurePath({ title: 't', severity: 'low', observables: [{ type: 'ip', value: 'not-an-ip' }] }), 'observables[0].value');
    assert.equal(failurePath({ title: 't', severity: 'low', tactics: [5] }), 'tactics[0]');
    assert.equal(failurePath({ title: 't', severity: 'low', tactics: ['Execution', 'Nope'] }), 'tactics[1]');
    assert.equal(failurePath({ title: 't', severity: 'low', techniques: ['X1'] }), 'techniques[0]');
    assert.equal(failurePath({ title: 't', severity: 'low', sourceId: 12 }), 'sourceId');
  });

  test('PreAttack tactics are skipped, not failures', () => {
    const alert = onlyAlert(genericNormalizer.normalize({ title: 't', severity: 'low', tactics: ['PreAttack', 'Command and Control'] }, NOW));
    assert.deepEqual(attackKeys(alert), ['TA0011||']);
  });

  test('batches as arrays and {alerts: [...]} keep the good items', () => {
    const arr = genericNormalizer.normalize([{ title: 'a', severity: 'low' }, { title: 'b' }, 'x', { title: 'c', severity: 2 }], NOW);
    assert.deepEqual(
      arr.alerts.map((a) => [a.index, a.alert.finding_info.title]),
      [
        [0, 'a'],
        [3, 'c'],
      ],
    );
    assert.deepEqual(
      arr.failures.map((f) => [f.index, f.code, f.details?.['path']]),
      [
        [1, 'invalid_alert', 'severity'],
        [2, 'invalid_alert', ''],
      ],
    );
    const wrapped = genericNormalizer.normalize(
      {
        alerts: [
          { title: 'a', severity: 'low' },
          { title: 'b', severity: 'high' },
        ],
      },
      NOW,
    );
    assert.equal(wrapped.alerts.length, 2);
  });

  test('a hostname host goes to device.hostname; product defaults', () => {
    const alert = onlyAlert(genericNormalizer.normalize({ title: 't', severity: 'low', host: 'ws-0142', product: 'cron-check' }, NOW));
    assert.deepEqual(alert.device, { type_id: 0, type: 'Unknown', hostname: 'ws-0142' });
    assert.deepEqual(alert.metadata.product, { name: 'cron-check', vendor_name: 'cron-check' });
    const plain = onlyAlert(genericNormalizer.normalize({ title: 't', severity: 'low' }, NOW));
    assert.deepEqual(plain.metadata.product, { name: 'Generic', vendor_name: 'Unknown' });
  });

  test('rejects __proto__ keys and deep nesting with a path', () => {
    const proto = genericNormalizer.normalize(JSON.parse('{"title":"t","severity":"low","extra":{"__proto__":{"isAdmin":true}}}') as unknown, NOW);
    assert.deepEqual([proto.failures[0].code, proto.failures[0].details?.['path'], proto.failures[0].details?.['reason']], ['invalid_alert', 'extra.__proto__', 'forbidden_key']);
    let deep: unknown = 1;
    for (let i = 0; i < 64; i++) deep = [deep];
    const tooDeep = genericNormalizer.normalize({ title: 't', severity: 'low', extra: deep }, NOW);
    assert.equal(tooDeep.failures[0].details?.['reason'], 'too_deep');
  });

  test('text bodies are parsed safely; non-objects are not recognised', () => {
    assert.equal(onlyAlert(genericNormalizer.normalize('{"title":"from text","severity":"low"}', NOW)).finding_info.title, 'from text');
    const bad = genericNormalizer.normalize('{"title":', NOW);
    assert.deepEqual([bad.failures[0].code, bad.failures[0].details?.['reason']], ['unrecognized_payload', 'invalid_json']);
    assert.equal(genericNormalizer.normalize(42, NOW).failures[0].code, 'unrecognized_payload');
    const proto = genericNormalizer.normalize('{"title":"t","severity":"low","__proto__":{"x":1}}', NOW);
    assert.deepEqual([proto.failures[0].code, proto.failures[0].details?.['path'], proto.failures[0].details?.['reason']], ['invalid_alert', '__proto__', 'forbidden_key']);
  });
});
