/**
 * The OCSF 1.8.0 Detection Finding validator itself: a minimal valid finding passes, and each kind of
 * mistake, planted in a copy of it, is reported with its path and code (so every check can fail).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { withPath } from '../support/normalizer-testing.js';
import { loadResolvedDetectionFinding, validateOcsfFinding, valuesAtPath, type OcsfIssue, type OcsfIssueCode } from '../support/ocsf-validator.js';

const VALID = {
  category_uid: 2,
  category_name: 'Findings',
  class_uid: 2004,
  class_name: 'Detection Finding',
  activity_id: 1,
  activity_name: 'Create',
  type_uid: 200401,
  type_name: 'Detection Finding: Create',
  severity_id: 4,
  severity: 'High',
  time: 1772446805993,
  metadata: { version: '1.8.0', product: { name: 'Falcon Insight', vendor_name: 'CrowdStrike' } },
  finding_info: { uid: 'ldt:4f3e2d1c', title: 'Suspicious PowerShell command line', types: ['Execution'] },
  device: { type_id: 2, type: 'Desktop', hostname: 'WS-0142', ip: '10.1.4.142' },
  resources: [{ uid: 'i-0abc' }, { uid: 'i-0def' }],
  observables: [
    { type_id: 1, type: 'Hostname', name: 'device.hostname', value: 'WS-0142' },
    { type_id: 2, type: 'IP Address', name: 'device.ip', value: '10.1.4.142' },
    { type_id: 10, type: 'Resource UID', name: 'resources[].uid', value: 'i-0def' },
  ],
  unmapped: { anything: { goes: [1, 'two'] } },
};

type Finding = typeof VALID;

/** The issues of a finding, as `code path` strings. */
function issuesOf(finding: unknown): string[] {
  return validateOcsfFinding(finding).map((issue: OcsfIssue) => `${issue.code} ${issue.path}`);
}

/** Sets `path` to `value` in a copy of the valid finding and expects exactly `expected` issues. */
function expectIssues(path: string, value: unknown, ...expected: Array<`${OcsfIssueCode} ${string}`>): void {
  assert.deepEqual(issuesOf(withPath(VALID, path, value)), expected);
}

describe('OCSF 1.8.0 Detection Finding validator', () => {
  test('reads the class resolved from the official schema at 1.8.0', () => {
    const schema = loadResolvedDetectionFinding();
    assert.equal(schema.source.ref, '1.8.0');
    assert.equal(schema.source.version, '1.8.0');
    assert.equal(schema.class.uid, 2004);
    assert.equal(schema.class.category.uid, 2);
    assert.deepEqual(Object.keys(schema.class.attributes.type_uid.enum ?? {}), ['200400', '200401', '200402', '200403', '200499']);
    assert.equal(schema.class.attributes.type_uid.enum?.['200401'].caption, 'Detection Finding: Create');
    const observableTypes = schema.objects.observable.attributes.type_id.enum ?? {};
    assert.equal(observableTypes['2'].caption, 'IP Address');
    assert.equal(observableTypes['13'].caption, 'Command Line');
    assert.equal(observableTypes['21'].caption, 'User');
    assert.equal(observableTypes['34'].caption, 'Account Object: name');
    assert.equal(observableTypes['99'].caption, 'Other');
    assert.equal(schema.class.attributes.actor.profile, 'host');
    assert.equal(schema.class.attributes.confidence_id.profile, undefined, 'detection_finding takes confidence_id out of the security_control profile');
  });

  test('a minimal valid finding has no issue', () => {
    assert.deepEqual(issuesOf(VALID), []);
  });

  test('a finding that is not an object', () => {
    assert.deepEqual(issuesOf('finding'), ['not_an_object ']);
    expectIssues('metadata', 'CrowdStrike', 'not_an_object metadata');
  });

  test('required attributes, at the top and at every depth', () => {
    expectIssues('time', undefined, 'required_missing time');
    expectIssues('finding_info.uid', undefined, 'required_missing finding_info.uid');
    expectIssues('metadata.product', undefined, 'required_missing metadata.product');
    expectIssues('device.type_id', undefined, 'required_missing device.type_id');
    expectIssues('observables.0.type_id', undefined, 'required_missing observables[0].type_id');
    expectIssues('severity_id', null, 'required_missing severity_id');
  });

  test('the JSON type of each dictionary type', () => {
    expectIssues('time', '2026-03-02T10:20:05Z', 'wrong_type time');
    expectIssues('time', 1772446805993.5, 'wrong_type time');
    expectIssues('finding_info.title', 42, 'wrong_type finding_info.title');
    expectIssues('count', 2 ** 31, 'wrong_type count');
    expectIssues('finding_info.uid', { id: 1 }, 'wrong_type finding_info.uid');
  });

  test('regex, max_len and range of the dictionary types', () => {
    expectIssues('device.ip', '10.1.4.999', 'invalid_value device.ip', 'observable_value observables[1].value');
    expectIssues('device.mac', '00:11:22:33:44', 'invalid_value device.mac');
    expectIssues('device.mac', '00:11:22:33:44:55');
    expectIssues('device.ip', '2001:db8::1', 'observable_value observables[1].value'); // a valid IPv6: only the observable no longer matches
    expectIssues('device.os_machine_uuid', 'not-a-uuid', 'invalid_value device.os_machine_uuid');
    expectIssues('device.os_machine_uuid', '6f1a9e8d-7c6b-4a5f-9e3d-2c1b0a9f8e7d');
    expectIssues('actor', { user: { name: 'jdoe', email_addr: 'jdoe(at)example.com' } }, 'profile_not_declared actor', 'invalid_value actor.user.email_addr');
    expectIssues('evidences', [{ src_endpoint: { ip: '10.1.4.142', port: 65536 } }], 'invalid_value evidences[0].src_endpoint.port');
    expectIssues('time_dt', '2026-03-02 10:20', 'profile_not_declared time_dt', 'invalid_value time_dt');
  });

  test('a timestamp_t in epoch seconds', () => {
    expectIssues('time', 1772446805, 'timestamp_in_seconds time');
  });

  test('arrays and single values', () => {
    expectIssues('finding_info.types', 'Execution', 'expected_array finding_info.types');
    expectIssues('observables', VALID.observables[0], 'expected_array observables');
    expectIssues('message', ['one', 'two'], 'unexpected_array message');
    expectIssues('device', [VALID.device], 'unexpected_array device');
  });

  test('enum values and their caption siblings', () => {
    expectIssues('severity_id', 7, 'enum_value severity_id');
    expectIssues('observables.1.type_id', 46, 'enum_value observables[1].type_id');
    expectIssues('severity', 'high', 'enum_caption severity');
    expectIssues('device.type', 'Workstation', 'enum_caption device.type');
    expectIssues('observables.1.type', 'IP', 'enum_caption observables[1].type');
    // 99 Other leaves the caption to the source.
    assert.deepEqual(issuesOf({ ...withPath(VALID, 'severity_id', 99), severity: 'Sev-2' }), []);
  });

  test('category_uid and class_uid are Detection Finding’s', () => {
    expectIssues('class_uid', 2001, 'wrong_class class_uid', 'type_uid type_uid');
    expectIssues('category_uid', 3, 'wrong_class category_uid');
    expectIssues('class_name', 'Security Finding', 'enum_caption class_name');
  });

  test('type_uid is class_uid * 100 + activity_id, and type_name its caption', () => {
    expectIssues('type_uid', 200402, 'type_uid type_uid', 'type_uid type_name');
    expectIssues('type_name', 'Detection Finding: Update', 'type_uid type_name');
    const update: Finding = { ...VALID, activity_id: 2, activity_name: 'Update', type_uid: 200402, type_name: 'Detection Finding: Update' };
    assert.deepEqual(issuesOf(update), []);
    assert.deepEqual(issuesOf({ ...update, activity_name: 'Create' }), ['enum_caption activity_name']);
  });

  test('attributes the class or an object does not define; unmapped and json_t are free', () => {
    expectIssues('severity_name', 'High', 'unknown_attribute severity_name');
    expectIssues('finding_info.tactic', 'TA0002', 'unknown_attribute finding_info.tactic');
    expectIssues('observables.0.kind', 'hostname', 'unknown_attribute observables[0].kind');
    expectIssues('unmapped.vendor.deep', { x: 1 });
    expectIssues('enrichments', [{ name: 'ip', value: '10.1.4.142', data: { any: { shape: true } } }]);
  });

  test('profile attributes need their profile in metadata.profiles', () => {
    const actor = { user: { name: 'jdoe' } };
    expectIssues('actor', actor, 'profile_not_declared actor');
    assert.deepEqual(issuesOf({ ...withPath(VALID, 'metadata.profiles', ['host']), actor }), []);
    expectIssues('device.container', { name: 'web' }, 'profile_not_declared device.container');
    expectIssues('metadata.profiles', ['host', 'vigil'], 'unknown_profile metadata.profiles[1]');
  });

  test('a declared profile makes its required attributes required', () => {
    expectIssues('metadata.profiles', ['cloud'], 'required_missing cloud');
  });

  test('object constraints (at_least_one)', () => {
    expectIssues('metadata.product', { vendor_name: 'CrowdStrike' }, 'constraint metadata.product');
    expectIssues('device', { type_id: 2 }, 'constraint device', 'observable_name observables[0].name', 'observable_name observables[1].name');
  });

  test('each observable name leads to its value', () => {
    expectIssues('observables.1.name', 'device.ipv4', 'observable_name observables[1].name');
    expectIssues('observables.1.value', '10.1.4.143', 'observable_value observables[1].value');
    expectIssues('observables.2.name', 'resources[0].uid', 'observable_value observables[2].value');
    expectIssues('observables.2.name', 'resources[1].uid');
    expectIssues('observables.2.name', 'resources.uid');
    expectIssues('observables.2.name', 'resources[2].uid', 'observable_name observables[2].name');
  });

  test('paths in the three array forms', () => {
    const finding = { a: [{ b: 1 }, { b: 2 }, { c: { d: ['x', 'y'] } }] };
    assert.deepEqual(valuesAtPath(finding, 'a.b'), [1, 2]);
    assert.deepEqual(valuesAtPath(finding, 'a[].b'), [1, 2]);
    assert.deepEqual(valuesAtPath(finding, 'a[1].b'), [2]);
    assert.deepEqual(valuesAtPath(finding, 'a[2].c.d'), ['x', 'y']);
    assert.deepEqual(valuesAtPath(finding, 'a[3].b'), []);
    assert.deepEqual(valuesAtPath(finding, 'a..b'), []);
  });
});
