import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { eventually, http, type PlaybookStack, startPlaybookStack, type TestStack, type TestTenant } from '../support/stack.js';

/**
 * Step lines are handed from one activity to the next (and the run's end rides with its last step):
 * these tests check what an analyst sees in the timeline, and that the history holds no activity
 * of Vigil's own bookkeeping where none is needed.
 */
const PLAYBOOKS: Record<string, string> = {
  'three-lookups': `
id: three-lookups
name: Three lookups
version: "1"
priority: 10
triggers: [{ techniques: [T1101] }]
steps:
  - { id: first, kind: action, action: abuseipdb.check_ip, with: { ip: "{{lookup observables.ip 0}}" }, output: rep }
  - { id: second, kind: action, action: virustotal.get_ip_report, with: { ip: "{{lookup observables.ip 0}}" } }
  - { id: third, kind: action, action: greynoise.ip_context, with: { ip: "{{lookup observables.ip 0}}" } }
  - { id: done, kind: end }
`,
  'lookup-then-wait': `
id: lookup-then-wait
name: Lookup, then a long wait
version: "1"
priority: 10
triggers: [{ techniques: [T1102] }]
steps:
  - { id: look, kind: action, action: abuseipdb.check_ip, with: { ip: "{{lookup observables.ip 0}}" } }
  - { id: pause, kind: wait, duration: 4s }
  - { id: done, kind: end, status: triaged }
`,
  'templates/pinned-note.txt': 'Case {{case.id}}: written before the run started',
  'notify-after-wait': `
id: notify-after-wait
name: Wait, then notify with a template file
version: "1"
priority: 10
triggers: [{ techniques: [T1104] }]
steps:
  - { id: pause, kind: wait, duration: 3s }
  - { id: tell, kind: notify, channel: slack, template: pinned-note.txt, with: { channel: "#soc" } }
  - { id: done, kind: end }
`,
  'lookup-then-summary': `
id: lookup-then-summary
name: Lookup, then an end with a summary
version: "1"
priority: 10
triggers: [{ techniques: [T1103] }]
steps:
  - { id: look, kind: action, action: abuseipdb.check_ip, with: { ip: "{{lookup observables.ip 0}}" }, output: rep }
  - { id: done, kind: end, summary: "score {{vars.rep.abuseConfidenceScore}}" }
`,
};

interface Line {
  kind: string;
  stepId: string | null;
  message: string;
  at: string;
  data: Record<string, unknown>;
}
interface CaseView {
  status: string;
  run: { status: string };
  timeline: Line[];
}

let stack: TestStack;
let tenant: TestTenant;
let client: Client;
let running: (PlaybookStack & { dir: string }) | undefined;

before(async () => {
  running = await startPlaybookStack(PLAYBOOKS, { VIGIL_SIMULATOR_CONNECTIONS: 'true' });
  ({ stack, client } = running);
  tenant = await stack.createTenant();
});
after(async () => {
  await running?.stop();
});

async function ingest(technique: string, ip: string): Promise<string> {
  const res = await http<{ alerts: Array<{ caseId: string }> }>('POST', `${stack.url}/api/v1/alerts/generic`, {
    key: tenant.key,
    body: { title: `Lines ${technique} ${Date.now()}`, severity: 'high', techniques: [technique], observables: [{ type: 'ip', value: ip }] },
  });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  return res.body.alerts[0]!.caseId;
}

async function view(caseId: string): Promise<CaseView> {
  return (await http<CaseView>('GET', `${stack.url}/api/v1/cases/${caseId}`, { key: tenant.key })).body;
}

async function finishedView(caseId: string): Promise<CaseView> {
  return eventually(
    async () => {
      const v = await view(caseId);
      return v.run.status === 'completed' || v.run.status === 'failed' ? v : undefined;
    },
    20_000,
    `the run of case ${caseId} to finish`,
  );
}

/** Local activity types recorded in the case workflow's history, in order. */
async function localActivities(caseId: string): Promise<string[]> {
  const history = await client.workflow.getHandle(`case-${caseId}`).fetchHistory();
  const types: string[] = [];
  for (const e of history.events ?? []) {
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_local_activity') continue;
    const payload = marker.details?.['data']?.payloads?.[0]?.data;
    if (!payload) continue;
    const data = JSON.parse(Buffer.from(payload).toString('utf8')) as { activity_type?: string };
    if (data.activity_type) types.push(data.activity_type);
  }
  return types;
}

describe('step lines handed on between activities', () => {
  test('every step line reaches the timeline once, in order, with its output; the last step ends the run', async () => {
    const caseId = await ingest('T1101', '198.51.100.61');
    const v = await finishedView(caseId);
    assert.equal(v.run.status, 'completed');
    const steps = v.timeline.filter((l) => l.kind === 'step_finished');
    assert.deepEqual(
      steps.map((l) => l.stepId),
      ['first', 'second', 'third'],
      'one line per step, in the order they ran',
    );
    for (const line of steps) assert.ok(line.data['output'] && typeof line.data['output'] === 'object', `${line.stepId} keeps its vendor output`);
    const times = steps.map((l) => Date.parse(l.at));
    assert.deepEqual(
      [...times].sort((a, b) => a - b),
      times,
      'lines are stamped when their step finished',
    );
    const end = v.timeline.find((l) => l.kind === 'run_finished');
    assert.ok(end, 'the run_finished line');
    assert.match(end.message, /completed after 4 step\(s\)/);
    assert.ok(Date.parse(end.at) >= times[2]!, 'the end comes after the last step');
    // Three lookups and nothing else: the lines and the run's end rode with them.
    assert.deepEqual(await localActivities(caseId), ['runAction', 'runAction', 'runAction']);
  });

  test('a step line is in the timeline while the run waits after it', async () => {
    const caseId = await ingest('T1102', '198.51.100.62');
    const during = await eventually(
      async () => {
        const v = await view(caseId);
        return v.timeline.some((l) => l.stepId === 'look' && l.kind === 'step_finished') ? v : undefined;
      },
      10_000,
      'the lookup line to be written',
    );
    assert.equal(during.run.status, 'running', 'the line is there before the wait is over');
    const v = await finishedView(caseId);
    assert.equal(v.status, 'triaged');
    assert.equal(v.timeline.filter((l) => l.stepId === 'look' && l.kind === 'step_finished').length, 1, 'written once');
  });

  test('an end with a summary is rendered by completeRun from the final scope', async () => {
    const caseId = await ingest('T1103', '198.51.100.63');
    const v = await finishedView(caseId);
    const end = v.timeline.find((l) => l.kind === 'run_finished');
    assert.ok(end);
    assert.match(end.message, /: score \d+$/);
    assert.deepEqual(await localActivities(caseId), ['runAction', 'completeRun']);
  });
});

describe('what a run pins', () => {
  test('a run keeps the template files it started with, even when one is edited while it runs', async () => {
    const caseId = await ingest('T1104', '198.51.100.64');
    await eventually(async () => ((await view(caseId)).run.status === 'running' ? true : undefined), 10_000, 'the run to start');
    writeFileSync(path.join(running!.dir, 'templates', 'pinned-note.txt'), 'Case {{case.id}}: edited while the run waited');
    const v = await finishedView(caseId);
    assert.equal(v.run.status, 'completed', JSON.stringify(v.timeline.filter((l) => l.kind === 'step_failed')));
    const res = await http<Array<{ body: { text?: string } }>>('GET', `${stack.simulatorUrl}/_simulator/calls?vendor=slack`);
    const texts = res.body.map((c) => c.body.text ?? '').filter((t) => t.includes(caseId));
    assert.deepEqual(texts, [`Case ${caseId}: written before the run started`]);
  });
});
