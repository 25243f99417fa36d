import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actionCatalogForValidation } from '../playbooks/action-catalog-view.js';
import { validatePlaybookText } from '../playbooks/validation/index.js';

const playbook = (action: string, expiresIn: string, withText: string) => `
id: expiring
name: Expiring
version: "1.0.0"
steps:
  - id: act
    kind: action
    action: ${action}
    with: ${withText}
    expiresIn: ${expiresIn}
`;

test('expiresIn: allowed on containment, refused elsewhere, and must be a duration', () => {
  const catalog = actionCatalogForValidation();
  const ok = validatePlaybookText(playbook('panos.block_ip', '4h', '{ ip: "203.0.113.9" }'), 'ok.yaml', catalog);
  assert.ok(ok.ok, JSON.stringify(ok));
  assert.equal(ok.ok && ok.playbook.steps[0]!.kind === 'action' ? ok.playbook.steps[0].expiresIn : undefined, '4h');

  const enrichment = validatePlaybookText(playbook('abuseipdb.check_ip', '4h', '{ ip: "203.0.113.9" }'), 'enrich.yaml', catalog);
  assert.equal(enrichment.ok, false);
  const problem = !enrichment.ok ? enrichment.errors[0]! : undefined;
  assert.deepEqual([problem?.code, problem?.path, problem?.line], ['invalid_step', 'steps[0].expiresIn', 10]);
  assert.match(problem!.message, /expiresIn applies to containment actions only; abuseipdb\.check_ip is enrichment/);

  const bad = validatePlaybookText(playbook('panos.block_ip', 'soon', '{ ip: "203.0.113.9" }'), 'bad.yaml', catalog);
  assert.equal(bad.ok, false);
  assert.equal(!bad.ok ? bad.errors[0]!.code : undefined, 'schema');
});
