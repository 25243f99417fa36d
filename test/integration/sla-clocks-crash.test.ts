import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { createUser, getCase, lines, mustApi, openCase, vendorCalls } from '../support/sla-fixtures.js';
import { eventually, startTestStack, type TestStack, type TestTenant } from '../support/stack.js';
import { startWorkerProcess } from '../support/worker-process.js';

// Worker processes inherit the environment: the links they sign verify at the API.
process.env['VIGIL_LINK_SIGNING_KEY'] ??= randomBytes(32).toString('hex');

let stack: TestStack;
let tenant: TestTenant;
let connection: Connection;
const children: ChildProcess[] = [];

before(async () => {
  stack = await startTestStack({ VIGIL_OUTBOX_POLL_MS: '100' });
  tenant = await stack.createTenant();
  connection = await Connection.connect({ address: stack.config.temporal.address });
});
after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await connection?.close();
  await stack?.stop();
});

test('a worker killed while a clock sleeps is replaced, and the clock still fires exactly once: one breach line, one page per level', async () => {
  const ana = await createUser(stack, tenant.id, 'ana');
  const ben = await createUser(stack, tenant.id, 'ben');
  const escalation = await mustApi<{ id: string }>(stack, tenant, 'POST', '/escalation-policies', {
    name: 'Paging',
    levels: [
      // HTTP channels: a worker process does not know the SMTP port of the simulator running in this process.
      { users: [ana.id], channels: ['slack.post_message'], delay: 'PT1S' },
      { users: [ben.id], channels: ['pagerduty.trigger'], delay: 'PT1S' },
    ],
  });
  await mustApi(stack, tenant, 'POST', '/sla/policies', {
    name: 'Critical',
    severity: 'critical',
    timeToAcknowledge: 'PT6S',
    timeToContain: 'PT1H',
    timeToResolve: 'PT2H',
    clockStart: 'received',
    thresholds: [100],
    escalationPolicyId: escalation.id,
  });
  children.push(startWorkerProcess(stack, mkdtempSync(path.join(os.tmpdir(), 'vigil-sla-crash-'))));
  const title = `crash ${randomBytes(3).toString('hex')}`;
  const caseId = await openCase(stack, tenant, title, 'critical');
  const handle = new Client({ connection }).workflow.getHandle(`sla:${caseId}`);

  // Kill once the clock workflow sleeps on its timer: the plan is durably made, the due instant still ahead.
  // (After the case's playbook run has finished: its status step signals the clock workflow once more.)
  await eventually(async () => ((await getCase(stack, tenant, caseId)).status === 'triaged' ? true : undefined), 10_000, 'the playbook run');
  await eventually(
    async () => {
      const events = (await handle.fetchHistory()).events ?? [];
      return events.at(-1)?.timerStartedEventAttributes ? true : undefined;
    },
    10_000,
    'the clock workflow to sleep until the due instant',
  );
  children[0]!.kill('SIGKILL');
  await new Promise((resolve) => children[0]!.once('exit', resolve));
  children.push(startWorkerProcess(stack, mkdtempSync(path.join(os.tmpdir(), 'vigil-sla-crash-'))));

  await eventually(async () => ((await vendorCalls(stack, 'pagerduty', title)).length > 0 ? true : undefined), 20_000, 'the breach and both levels on the new worker');
  // Past any second chance of a duplicate (a retried activity, a replayed timer).
  await new Promise((r) => setTimeout(r, 1_500));
  const view = await getCase(stack, tenant, caseId);
  const ack = (kind: string) => lines(view, kind).filter((l) => l.data['clock'] === 'acknowledge');
  assert.equal(ack('sla_breached').length, 1, 'one breach line');
  assert.deepEqual(
    ack('sla_escalated').map((l) => l.data['level']),
    [0, 1],
    'one page line per level',
  );
  assert.equal((await vendorCalls(stack, 'slack', title)).length, 1, 'level 0 paged once (Slack)');
  assert.equal((await vendorCalls(stack, 'pagerduty', title)).length, 1, 'level 1 paged once (PagerDuty)');
  assert.ok(
    ack('sla_escalated').every((l) => (l.data['deliveries'] as Array<{ ok: boolean }>).every((d) => d.ok)),
    'both pages delivered',
  );
  const breach = ack('sla_breached')[0]!;
  const late = new Date(breach.at).getTime() - new Date(String(breach.data['dueAt'])).getTime();
  // Late by the new worker's start (a Nest context, migrations checked, the workflow bundle built) when it was not up by then.
  assert.ok(late >= 0 && late < 15_000, `fired ${late} ms after its due instant, despite the restart`);
  const rows = (await stack.db.query(`SELECT threshold, level FROM sla_escalations WHERE tenant_id = $1 AND case_id = $2 AND clock = 'acknowledge' ORDER BY level`, [
    tenant.id,
    caseId,
  ])) as Array<{
    threshold: number;
    level: number;
  }>;
  assert.deepEqual(
    rows.map((r) => [r.threshold, r.level]),
    [
      [100, 0],
      [100, 1],
    ],
  );
  const audit = (await stack.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE tenant_id = $1 AND action = 'sla_clock.breached' AND target = $2`, [
    tenant.id,
    `case:${caseId}`,
  ])) as Array<{
    n: number;
  }>;
  assert.equal(audit[0]!.n, 1, 'one audit line');
});
