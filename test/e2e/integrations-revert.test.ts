import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually, http, type RunningWorker, startTestStack, type TestStack } from '../support/stack.js';
import { type CaseBody, falconDetection, finishedCase, playbookDir, postFalconDetection, sensorId, simulatorCalls } from '../support/integrations-fixtures.js';

const CONTAIN = `
id: contain_and_block
name: Contain the host and block its address
version: "1.0.0"
priority: 10
triggers:
  - techniques: [T1490]
steps:
  - { id: contain, kind: action, action: crowdstrike.contain_host, with: { deviceIds: ["{{alert.device.uid}}"] } }
  - { id: block, kind: action, action: openc2.deny_ipv4, with: { ipv4Net: "{{alert.device.ip}}" } }
  - { id: done, kind: end, status: contained }
`;

let stack: TestStack;
let worker: RunningWorker;

before(async () => {
  stack = await startTestStack({ VIGIL_PLAYBOOKS_DIR: playbookDir({ 'contain.yaml': CONTAIN }) });
  worker = await stack.startWorker();
});
after(async () => {
  await worker?.stop();
  await stack?.stop();
});

test('POST /api/v1/cases/{id}/revert undoes the containment of the case, over HTTP, and only for its own tenant', async () => {
  const tenant = await stack.createTenant();
  const device = sensorId();
  const ip = '10.88.1.7';
  const caseId = await postFalconDetection(stack, tenant.key, falconDetection({ sensorId: device, hostname: 'WS-8801', detectId: '88', techniqueId: 'T1490', localIp: ip }));
  const view = await finishedCase(stack, tenant.key, caseId);
  assert.equal(view.run.status, 'completed', JSON.stringify(view.timeline.map((l) => l.message)));

  const other = await stack.createTenant();
  assert.equal((await http('POST', `${stack.url}/api/v1/cases/${caseId}/revert`, { key: other.key })).status, 404);

  const analyst = await stack.createKey(tenant.id, 'analyst');
  const res = await http<{ revertWorkflowId: string }>('POST', `${stack.url}/api/v1/cases/${caseId}/revert`, { key: analyst, body: { reason: 'false positive: admin script' } });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  assert.equal(res.body.revertWorkflowId, `revert-${caseId}`);
  const done = await eventually(
    async () => {
      const c = await http<CaseBody>('GET', `${stack.url}/api/v1/cases/${caseId}`, { key: tenant.key });
      return c.body.timeline.some((l) => l.kind === 'revert_finished') ? c.body : undefined;
    },
    15_000,
    'the revert to finish',
  );
  const lines = done.timeline.filter((l) => ['revert_requested', 'revert_started', 'containment_reverted', 'revert_finished'].includes(l.kind)).map((l) => l.message);
  assert.deepEqual(lines.slice(1), [
    lines[1]!,
    `reverted openc2.deny_ipv4 on IPv4 ${ip} (ran openc2.allow_ipv4)`,
    `reverted crowdstrike.contain_host on host ${device} (ran crowdstrike.lift_containment)`,
    'revert finished: 2 reverted, 0 already reverted, 0 failed',
  ]);
  assert.match(lines[0]!, /revert of containment requested: false positive: admin script/);
  assert.match(lines[1]!, /^revert requested by (api-key|user):.+: 2 containment action\(s\) to undo$/);
  const openc2 = await simulatorCalls(stack.simulatorUrl, 'openc2');
  assert.deepEqual(
    openc2.filter((c) => JSON.stringify(c.body).includes(ip)).map((c) => (c.body as { action: string }).action),
    ['deny', 'allow'],
  );
  const state = await http<{ crowdstrike: { devices: Array<{ device_id: string; status: string }> } }>('GET', `${stack.simulatorUrl}/_simulator/state`);
  assert.equal(state.body.crowdstrike.devices.find((d) => d.device_id === device)?.status, 'normal');
});
