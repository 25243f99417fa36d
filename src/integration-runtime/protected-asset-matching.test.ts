import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findProtected, patternMatches, targetsOf } from './protected-asset-matching.js';

test('targets come from the input fields that name hosts, users, addresses and domains', () => {
  assert.deepEqual(targetsOf({ deviceIds: ['a1', 'b2'] }), [
    { kind: 'host', value: 'a1' },
    { kind: 'host', value: 'b2' },
  ]);
  assert.deepEqual(targetsOf({ userId: 'ceo@example.com' }), [{ kind: 'user', value: 'ceo@example.com' }]);
  assert.deepEqual(targetsOf({ ipv4Net: '10.0.0.0/8', durationMs: 5 }), [{ kind: 'ip', value: '10.0.0.0/8' }]);
  assert.deepEqual(targetsOf('text'), []);
});

test("the alert's device name counts when the input names that device by id", () => {
  const scope = { alert: { device: { uid: 'ABC123', hostname: 'DC01', ip: '10.1.1.1' } } };
  assert.deepEqual(targetsOf({ deviceIds: ['abc123'] }, scope), [
    { kind: 'host', value: 'abc123' },
    { kind: 'host', value: 'DC01' },
    { kind: 'ip', value: '10.1.1.1' },
  ]);
  assert.deepEqual(targetsOf({ deviceIds: ['other'] }, scope), [{ kind: 'host', value: 'other' }]);
});

test('patterns: exact without case, wildcards, IPv4 ranges that overlap', () => {
  assert.equal(patternMatches('host', 'DC01', 'dc01'), true);
  assert.equal(patternMatches('host', 'dc-*', 'DC-PARIS-2'), true);
  assert.equal(patternMatches('host', 'dc-*', 'ws-dc-1'), false);
  assert.equal(patternMatches('host', 'dc.01', 'dcx01'), false, 'a dot is a dot, not any character');
  assert.equal(patternMatches('ip', '10.0.0.0/24', '10.0.0.7'), true);
  assert.equal(patternMatches('ip', '10.0.0.7', '10.0.0.0/8'), true);
  assert.equal(patternMatches('ip', '10.0.0.0/24', '10.0.1.7'), false);
  assert.equal(patternMatches('ip', '192.0.2.1', '192.0.2.10'), false);
  const rules = [{ id: 'r1', kind: 'user' as const, pattern: '*@board.example.com', reason: 'board members' }];
  assert.equal(findProtected(rules, [{ kind: 'user', value: 'chair@board.example.com' }])?.rule.id, 'r1');
  assert.equal(findProtected(rules, [{ kind: 'host', value: 'chair@board.example.com' }]), undefined);
});

test('addresses are compared parsed: IPv6 spellings, IPv6 ranges both ways, IPv4-mapped IPv6', () => {
  assert.equal(patternMatches('ip', '2001:db8::10', '2001:db8:0:0:0:0:0:10'), true);
  assert.equal(patternMatches('ip', '2001:db8:1::/48', '2001:db8:1::5'), true);
  assert.equal(patternMatches('ip', '2001:db8::10', '2001:db8::/64'), true, 'a target network that covers a protected address');
  assert.equal(patternMatches('ip', '10.20.30.40', '::ffff:10.20.30.40'), true);
  assert.equal(patternMatches('ip', '10.20.30.0/24', '::ffff:10.20.30.40'), true);
  assert.equal(patternMatches('ip', '::ffff:10.20.30.0/120', '10.20.30.9'), true);
  assert.equal(patternMatches('ip', '2001:db8:1::/48', '2001:db8:2::5'), false);
  assert.equal(patternMatches('ip', '2001:db8::10', '2001:db8::11'), false);
  assert.equal(patternMatches('ip', '10.0.0.1', '::1'), false, 'IPv4 and IPv6 never overlap unless mapped');
});

test('host names without case or trailing dot, short name against FQDN in both directions', () => {
  assert.equal(patternMatches('host', 'dc01.corp.example', 'DC01.corp.example.'), true);
  assert.equal(patternMatches('host', 'dc01.corp.example', 'dc01'), true);
  assert.equal(patternMatches('host', 'DC02', 'dc02.corp.example'), true);
  assert.equal(patternMatches('host', 'dc01.corp.example', 'dc01.other.example'), false);
  assert.equal(patternMatches('host', 'dc01', 'dc011'), false);
  assert.equal(patternMatches('host', 'dc-*', 'DC-7.corp.example.'), true);
  assert.equal(patternMatches('domain', 'corp.example', 'CORP.example.'), true);
  const rules = [{ id: 'dc', kind: 'host' as const, pattern: 'dc01.corp.example', reason: 'domain controller' }];
  assert.equal(findProtected(rules, [{ kind: 'host', value: 'DC01' }])?.rule.id, 'dc');
});
