import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import type { ActionDefinition } from './core/action.js';
import { ACTION_CATALOG, describeCatalog, findAction, validateCatalog } from './index.js';
import { simulatorConnections } from './simulator/connections.js';

const EXPECTED_KEYS = [
  'virustotal.get_file_report',
  'virustotal.get_ip_report',
  'virustotal.get_domain_report',
  'virustotal.get_url_report',
  'abuseipdb.check_ip',
  'greynoise.ip_context',
  'misp.search_attributes',
  'misp.add_sighting',
  'crowdstrike.contain_host',
  'crowdstrike.lift_containment',
  'crowdstrike.get_device',
  'defender.isolate_machine',
  'defender.release_machine',
  'entra.revoke_sessions',
  'entra.disable_user',
  'entra.enable_user',
  'okta.suspend_user',
  'okta.unsuspend_user',
  'okta.clear_sessions',
  'panos.block_ip',
  'panos.unblock_ip',
  'openc2.deny_ipv4',
  'openc2.allow_ipv4',
  'openc2.delete_rule',
  'openc2.command',
  'slack.post_message',
  'pagerduty.trigger',
  'pagerduty.resolve',
  'jira.create_issue',
  'jira.add_comment',
  'email.send',
  'http.request',
];

function stub(partial: Partial<ActionDefinition>): ActionDefinition {
  return {
    key: 'acme.do_thing',
    vendor: 'acme',
    title: 'x',
    docUrl: 'https://example.com/doc',
    kind: 'enrichment',
    input: z.object({}),
    output: z.object({}),
    secrets: [],
    execute: async () => ({}),
    ...partial,
  };
}

describe('action catalog', () => {
  test('holds exactly the documented actions', () => {
    assert.deepEqual([...ACTION_CATALOG.keys()].sort(), [...EXPECTED_KEYS].sort());
    assert.equal(findAction('virustotal.get_ip_report')?.vendor, 'virustotal');
    assert.equal(findAction('nope.nothing'), undefined);
  });

  test('containment actions are paired with their inverse both ways', () => {
    const containment = [...ACTION_CATALOG.values()].filter((a) => a.kind === 'containment');
    assert.deepEqual(containment.map((a) => `${a.key}<->${a.inverse ?? ''}`).sort(), [
      'crowdstrike.contain_host<->crowdstrike.lift_containment',
      'crowdstrike.lift_containment<->crowdstrike.contain_host',
      'defender.isolate_machine<->defender.release_machine',
      'defender.release_machine<->defender.isolate_machine',
      'entra.disable_user<->entra.enable_user',
      'entra.enable_user<->entra.disable_user',
      'okta.suspend_user<->okta.unsuspend_user',
      'okta.unsuspend_user<->okta.suspend_user',
      'openc2.allow_ipv4<->openc2.deny_ipv4',
      'openc2.deny_ipv4<->openc2.allow_ipv4',
      'panos.block_ip<->panos.unblock_ip',
      'panos.unblock_ip<->panos.block_ip',
    ]);
    for (const a of containment) {
      const inverse = ACTION_CATALOG.get(a.inverse ?? '');
      assert.ok(inverse, `${a.key} inverse exists`);
      // The inverse takes the same input: the forward action's input must satisfy the inverse schema.
      assert.deepEqual(z.toJSONSchema(inverse.input, { io: 'input' }), z.toJSONSchema(a.input, { io: 'input' }), `${a.key} and its inverse share an input schema`);
    }
  });

  test('every vendor has a simulator connection carrying the secrets its actions need', () => {
    const connections = simulatorConnections('http://127.0.0.1:4010');
    for (const action of ACTION_CATALOG.values()) {
      const connection = connections[action.vendor];
      assert.ok(connection, `connection for ${action.vendor}`);
      for (const name of action.secrets) assert.ok(connection.secrets[name], `${action.key} secret ${name}`);
    }
  });

  test('describeCatalog is JSON-serialisable with JSON Schemas', () => {
    const entries = describeCatalog();
    assert.equal(entries.length, EXPECTED_KEYS.length);
    const roundTrip = JSON.parse(JSON.stringify(entries)) as unknown;
    assert.deepEqual(roundTrip, entries);
    const vt = entries.find((e) => e.key === 'virustotal.get_ip_report');
    assert.ok(vt);
    assert.equal(vt.kind, 'enrichment');
    assert.equal(vt.inverse, null);
    assert.deepEqual(vt.secrets, ['apiKey']);
    assert.equal(vt.inputSchema['type'], 'object');
    assert.deepEqual(vt.inputSchema['required'], ['ip']);
    assert.equal(vt.inputSchema['additionalProperties'], false);
    const outputProps = vt.outputSchema['properties'] as Record<string, unknown>;
    assert.deepEqual(
      Object.keys(outputProps).sort(),
      ['found', 'harmless', 'id', 'lastAnalysisDate', 'link', 'malicious', 'reputation', 'suspicious', 'type', 'undetected', 'verdict'].sort(),
    );
    const abuse = entries.find((e) => e.key === 'abuseipdb.check_ip');
    // A defaulted field is optional for the playbook author.
    assert.deepEqual(abuse?.inputSchema['required'], ['ip']);
    for (const e of entries) assert.match(e.docUrl, /^https:\/\//);
  });

  test('validateCatalog rejects duplicates, bad keys, missing or foreign inverses', () => {
    assert.throws(() => validateCatalog([stub({}), stub({})]), /duplicate/);
    assert.throws(() => validateCatalog([stub({ key: 'acme.DoThing' })]), /snake_case/);
    assert.throws(() => validateCatalog([stub({ kind: 'containment' })]), /names no inverse/);
    assert.throws(() => validateCatalog([stub({ kind: 'containment', inverse: 'acme.undo' })]), /unknown inverse/);
    assert.throws(() => validateCatalog([stub({ key: 'other.x', vendor: 'acme' })]), /does not start with its vendor/);
  });
});
