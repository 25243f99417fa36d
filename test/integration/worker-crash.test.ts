import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { eventually, http, startTestStack, type TestStack, type TestTenant } from '../support/stack.js';
import { startWorkerProcess } from '../support/worker-process.js';

const PLAYBOOK = `
id: crash_drill
name: Crash drill
version: "1.0.0"
steps:
  - id: first_lookup
    kind: action
    action: abuseipdb.check_ip
    with: { ip: "{{lookup observables.ip 0}}" }
  - id: pause
    kind: wait
    duration: 3s
  - id: second_lookup
    kind: action
    action: virustotal.get_ip_report
    with: { ip: "{{lookup observables.ip 0}}" }
  - id: done
    kind: end
    status: triaged
`;

let stack: TestStack;
let tenant: TestTenant;
let dir: string;
let connection: Connection;
const children: ChildProcess[] = [];

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-crash-'));
  writeFileSync(path.join(dir, 'crash-drill.yaml'), PLAYBOOK);
  stack = await startTestStack({ VIGIL_PLAYBOOKS_DIR: dir });
  tenant = await stack.createTenant();
  connection = await Connection.connect({ address: stack.config.temporal.address });
});
after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await connection?.close();
  await stack?.stop();
});

test('a worker killed in the middle of a run is replaced and the run finishes, each step once', async () => {
  children.push(startWorkerProcess(stack, dir));
  const ip = '203.0.113.77';
  const res = await http<{ alerts: Array<{ caseId: string }> }>('POST', `${stack.url}/api/v1/alerts/generic`, {
    key: tenant.key,
    body: { title: 'Crash drill', severity: 'high', observables: [{ type: 'ip', value: ip }] },
  });
  assert.equal(res.status, 202);
  const caseId = res.body.alerts[0]!.caseId;
  const client = new Client({ connection });
  const handle = client.workflow.getHandle(`case-${caseId}`);

  // Kill only once the history holds the timer: the first step is then durably done.
  await eventually(
    async () => {
      const history = await handle.fetchHistory();
      return history.events?.some((e) => e.timerStartedEventAttributes) ? true : undefined;
    },
    20_000,
    'the first step to finish and the wait to start',
  );
  children[0]!.kill('SIGKILL');
  await new Promise((resolve) => children[0]!.once('exit', resolve));

  children.push(startWorkerProcess(stack, dir));
  const view = await eventually(
    async () => {
      const c = await http<{ run: { status: string }; status: string; timeline: Array<{ kind: string; stepId: string | null }> }>('GET', `${stack.url}/api/v1/cases/${caseId}`, {
        key: tenant.key,
      });
      return c.body.run.status === 'completed' ? c.body : undefined;
    },
    30_000,
    'the run to finish on the new worker',
  );
  assert.equal(view.status, 'triaged');
  const steps = view.timeline.filter((e) => e.kind === 'step_finished').map((e) => e.stepId);
  assert.deepEqual(steps, ['first_lookup', 'second_lookup']);
  assert.equal(view.timeline.filter((e) => e.kind === 'run_finished').length, 1);

  const abuse = await http<unknown[]>('GET', `${stack.simulatorUrl}/_simulator/calls?vendor=abuseipdb`);
  const vt = await http<unknown[]>('GET', `${stack.simulatorUrl}/_simulator/calls?vendor=virustotal`);
  assert.equal(abuse.body.filter((c) => JSON.stringify(c).includes(ip)).length, 1, 'first lookup sent once');
  assert.equal(vt.body.filter((c) => JSON.stringify(c).includes(ip)).length, 1, 'second lookup sent once');
});
