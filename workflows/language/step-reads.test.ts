import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Step } from './playbook.types.js';
import { sliceScope, templateNeeds } from './scope-reads.js';
import { pinnedReadsOf, readRoots, unpinnedNeeds } from './step-reads.js';

const STEPS: Step[] = [
  { id: 'enrich', kind: 'action', action: 'abuseipdb.check_ip', with: { ip: '{{lookup observables.ip 0}}', note: ['{{vars.flag}}'] } },
  { id: 'ask', kind: 'approval', question: 'Block {{alert.device.ip}}?', guards: 'block', levels: [{ roles: ['responder'], timeout: '5m' }], defaultOutcome: 'reject' },
  { id: 'block', kind: 'action', action: 'panos.block_ip', with: { ip: '{{steps.enrich.output.ip}}' } },
  {
    id: 'each_host',
    kind: 'foreach',
    items: 'observables.hostname',
    as: 'host',
    steps: [{ id: 'tell', kind: 'notify', channel: 'slack', template: 'Host {{host}} in case {{case.id}}' }],
  },
  { id: 'tell_file', kind: 'notify', channel: 'slack', template: 'contained.hbs' },
  { id: 'done', kind: 'end', summary: 'Done: {{vars.flag}}' },
] as Step[];

describe("step reads: what a run pins of its steps' templates", () => {
  test('every step, nested ones included, with the approval reading what it guards', () => {
    const reads = pinnedReadsOf(STEPS);
    assert.deepEqual(Object.keys(reads).sort(), ['ask', 'block', 'done', 'each_host', 'enrich', 'tell', 'tell_file']);
    assert.deepEqual(new Set(reads['enrich']), new Set(['observables', 'vars.flag']));
    assert.deepEqual(new Set(reads['ask']), new Set(['alert', 'steps.enrich']));
    assert.deepEqual(new Set(reads['tell']), new Set(['host', 'case']));
    assert.equal(reads['tell_file'], 'all', 'a template file is read by the activity');
    assert.deepEqual(reads['done'], ['vars.flag']);
    assert.deepEqual(reads['each_host'], []);
    assert.ok(readRoots(STEPS).includes('host'));
  });

  test("the pinned reads slice a scope as the scanner given that scope's roots does", () => {
    const reads = pinnedReadsOf(STEPS);
    const scope: Record<string, unknown> = {
      alert: { device: { ip: '10.0.0.1' } },
      case: { id: 'c' },
      observables: { ip: ['1.2.3.4'] },
      steps: { enrich: { output: { ip: '1.2.3.4' } } },
      vars: { flag: true },
    };
    const texts: Record<string, string> = { enrich: '{{lookup observables.ip 0}}{{vars.flag}}', block: '{{steps.enrich.output.ip}}', done: 'Done: {{vars.flag}}' };
    for (const [id, text] of Object.entries(texts)) {
      assert.deepEqual(sliceScope(scope, unpinnedNeeds(reads[id]!)), sliceScope(scope, templateNeeds(text, Object.keys(scope))), id);
    }
  });
});
