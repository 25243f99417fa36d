import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { SlaMetrics } from '../../src/sla/index.js';
import { api, type CaseWithClocks, createUser, getCase, lines, mailsTo, mustApi, openCase, vendorCalls } from '../support/sla-fixtures.js';
import { eventually, http, startTestStack, type TestStack, type TestTenant } from '../support/stack.js';

// The worker signs acknowledgement links and the API checks them: one key for both.
process.env['VIGIL_LINK_SIGNING_KEY'] ??= randomBytes(32).toString('hex');

const clock = (c: CaseWithClocks, kind: string) => c.sla.clocks.find((k) => k.clock === kind);
/** The pages of the acknowledge clock of the case titled `title` (the contain clock pages too, later). */
const ackPage = (title: string): string => `acknowledge clock of case "${title}"`;
const ackLines = (c: CaseWithClocks, kind: string) => lines(c, kind).filter((l) => l.data['clock'] === 'acknowledge');
const pages = async (stack: TestStack, caseId: string): Promise<Array<{ clock: string; threshold: number; level: number; sent: boolean }>> =>
  (
    (await stack.db.query(`SELECT clock, threshold, level, sent_at IS NOT NULL AS sent FROM sla_escalations WHERE case_id = $1 ORDER BY threshold, level`, [caseId])) as Array<{
      clock: string;
      threshold: number;
      level: number;
      sent: boolean;
    }>
  ).map((r) => ({ ...r }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SLA clocks on Temporal (real PostgreSQL, Temporal dev server, vendor simulator)', () => {
  let stack: TestStack;
  let tenant: TestTenant;
  let ana: { id: string; email: string };
  let ben: { id: string; email: string };

  before(async () => {
    stack = await startTestStack({ VIGIL_OUTBOX_POLL_MS: '100' });
    await stack.startWorker();
    tenant = await stack.createTenant();
    ana = await createUser(stack, tenant.id, 'ana');
    ben = await createUser(stack, tenant.id, 'ben');
    const escalation = await mustApi<{ id: string }>(stack, tenant, 'POST', '/escalation-policies', {
      name: 'Paging',
      levels: [
        { users: [ana.id], channels: ['email.send', 'slack.post_message', 'pagerduty.trigger'], delay: 'PT2S' },
        { users: [ben.id], channels: ['email.send'], delay: 'PT2S' },
      ],
    });
    // High: acknowledge within 6 s (50 % at 3 s pages Ana, 5 s escalates to Ben, 6 s breaches).
    await mustApi(stack, tenant, 'POST', '/sla/policies', {
      name: 'High',
      severity: 'high',
      timeToAcknowledge: 'PT6S',
      timeToContain: 'PT20S',
      timeToResolve: 'PT1H',
      clockStart: 'received',
      thresholds: [50, 100],
      escalationPolicyId: escalation.id,
    });
    // Medium: no paging; long enough that nothing fires while a test holds and resumes it.
    await mustApi(stack, tenant, 'POST', '/sla/policies', {
      name: 'Medium',
      severity: 'medium',
      timeToAcknowledge: 'PT1H',
      timeToContain: 'PT40S',
      timeToResolve: 'PT2H',
      clockStart: 'received',
    });
  });
  after(async () => {
    await stack?.stop();
  });

  test('a clock pages level 0 at its threshold, escalates, breaches once; acknowledgements (API, signed link) stop the next level', async (t) => {
    const tag = randomBytes(3).toString('hex');
    const breachesBefore = stack.api.get(SlaMetrics).breaches.get({ tenant: tenant.id, severity: '4', clock: 'acknowledge' });
    const [loud, byApi, byLink] = await Promise.all([
      openCase(stack, tenant, `loud ${tag}`, 'high'),
      openCase(stack, tenant, `api ${tag}`, 'high'),
      openCase(stack, tenant, `link ${tag}`, 'high'),
    ]);
    assert.equal(new Set([loud, byApi, byLink]).size, 3);

    // The clocks are planned as soon as the case opens (the outbox hands the case to its clock workflow).
    const planned = await eventually(
      async () => {
        const c = await getCase(stack, tenant, loud);
        return c.sla.clocks.length === 3 ? c : undefined;
      },
      5_000,
      'the clocks to be planned',
    );
    const ack = clock(planned, 'acknowledge')!;
    assert.equal(ack.status, 'running');
    assert.equal(new Date(ack.dueAt!).getTime() - new Date(String(ack['startedAt'])).getTime(), 6_000);
    assert.ok((ack['remainingMs'] as number) > 0 && (ack['remainingMs'] as number) <= 6_000);

    // 50 %: Ana is paged on all three channels for each case.
    await eventually(
      async () =>
        (await mailsTo(stack, ana.email, ackPage(`api ${tag}`))).length === 1 && (await mailsTo(stack, ana.email, ackPage(`link ${tag}`))).length === 1 ? true : undefined,
      8_000,
      'the 50 % pages',
    );
    await eventually(async () => ((await vendorCalls(stack, 'slack', `loud ${tag}`)).length >= 1 ? true : undefined), 3_000, 'the Slack page');
    await eventually(async () => ((await vendorCalls(stack, 'pagerduty', `loud ${tag}`)).length >= 1 ? true : undefined), 3_000, 'the PagerDuty page');

    // An analyst acknowledges one case through the API; Ana acknowledges another through her e-mail's link.
    const viaApi = await api<{ acknowledged: boolean; alreadyAcknowledged: boolean }>(stack, tenant, 'POST', `/cases/${byApi}/sla/acknowledge/acknowledge`);
    assert.equal(viaApi.status, 200, JSON.stringify(viaApi.body));
    assert.equal(viaApi.body.alreadyAcknowledged, false);
    const mail = (await mailsTo(stack, ana.email, ackPage(`link ${tag}`)))[0]!.text;
    const token = /\/api\/v1\/sla\/acknowledgements\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/.exec(mail)?.[1];
    assert.ok(token, 'the e-mail carries a signed acknowledgement link');
    assert.equal((await http('POST', `${stack.url}/api/v1/sla/acknowledgements/${token.slice(0, -2)}xx`)).status, 401, 'a tampered link is refused');
    const viaLink = await http<{ acknowledgedBy: string }>('POST', `${stack.url}/api/v1/sla/acknowledgements/${token}`);
    assert.equal(viaLink.status, 200, JSON.stringify(viaLink.body));
    assert.equal(viaLink.body.acknowledgedBy, `user:${ana.id}`);
    assert.equal((await api(stack, tenant, 'POST', `/cases/${byApi}/sla/sideways/acknowledge`)).status, 400);

    // The unacknowledged case escalates to Ben, then breaches at its due instant.
    await eventually(async () => ((await mailsTo(stack, ben.email, ackPage(`loud ${tag}`))).length === 1 ? true : undefined), 8_000, 'level 1 (Ben) paged');
    const breached = await eventually(
      async () => {
        const c = await getCase(stack, tenant, loud);
        return ackLines(c, 'sla_breached').length > 0 ? c : undefined;
      },
      8_000,
      'the breach',
    );
    const line = ackLines(breached, 'sla_breached')[0]!;
    const late = new Date(line.at).getTime() - new Date(ack.dueAt!).getTime();
    t.diagnostic(`breach recorded ${late} ms after the due instant`);
    assert.ok(late >= 0 && late < 1_000, `the breach is recorded within a second of the due instant (${late} ms)`);
    assert.equal(clock(breached, 'acknowledge')!.status, 'breached');
    assert.equal(clock(breached, 'acknowledge')!.breached, true);
    const audit = (await stack.db
      .query(`SELECT count(*)::int AS n FROM audit_log WHERE tenant_id = $1 AND action = 'sla_clock.breached' AND target = $2`, [tenant.id, `case:${loud}`])
      .catch(() => [{ n: -1 }])) as Array<{ n: number }>;
    assert.equal(audit[0]!.n, 1, 'one audit line for the breach');

    // Let the acknowledged cases pass the instants of level 1 (5 s) and the breach (6 s): no more pages for them.
    await sleep(2_500);
    assert.equal((await mailsTo(stack, ben.email, ackPage(`api ${tag}`))).length, 0, 'acknowledged through the API: Ben was never paged');
    assert.equal((await mailsTo(stack, ben.email, ackPage(`link ${tag}`))).length, 0, 'acknowledged through the link: Ben was never paged');
    assert.equal((await mailsTo(stack, ana.email, ackPage(`api ${tag}`))).length, 1, 'and Ana not again at 100 %');
    for (const id of [byApi, byLink]) {
      const c = await getCase(stack, tenant, id);
      assert.equal(lines(c, 'sla_acknowledged').length, 1);
      assert.equal(ackLines(c, 'sla_breached').length, 1, 'an acknowledged clock still breaches (the promise was not kept)');
      assert.deepEqual(
        (await pages(stack, id)).filter((p) => p.clock === 'acknowledge').map((p) => [p.threshold, p.level]),
        [[50, 0]],
      );
    }
    // Level 1 of the 100 % threshold comes 2 s after the breach.
    const loudPages = await eventually(
      async () => {
        const p = (await pages(stack, loud)).filter((r) => r.clock === 'acknowledge' && r.sent);
        return p.length >= 4 ? p : undefined;
      },
      5_000,
      'the pages of the unacknowledged clock',
    );
    assert.deepEqual(
      loudPages.filter((p) => p.clock === 'acknowledge').map((p) => [p.threshold, p.level, p.sent]),
      [
        [50, 0, true],
        [50, 1, true],
        [100, 0, true],
        [100, 1, true],
      ],
    );
    const final = await getCase(stack, tenant, loud);
    assert.equal(ackLines(final, 'sla_breached').length, 1, 'one breach line');
    assert.equal(ackLines(final, 'sla_escalated').length, 4, 'one line per page');
    assert.equal(stack.api.get(SlaMetrics).breaches.get({ tenant: tenant.id, severity: '4', clock: 'acknowledge' }) - breachesBefore, 3, 'one breach counted per case');
  });

  test('a hold pauses the clocks and the resume re-plans; a severity raise tightens them; a policy change re-plans an open clock', async () => {
    const caseId = await openCase(stack, tenant, `hold ${randomBytes(3).toString('hex')}`, 'medium');
    const first = await eventually(
      async () => {
        const c = await getCase(stack, tenant, caseId);
        return c.sla.clocks.length === 3 ? c : undefined;
      },
      5_000,
      'the clocks',
    );
    const contain = clock(first, 'contain')!;
    const startedAt = new Date(String(contain['startedAt'])).getTime();
    assert.equal(new Date(contain.dueAt!).getTime() - startedAt, 40_000);

    assert.equal((await api(stack, tenant, 'PATCH', `/cases/${caseId}`, { status: 'on_hold' })).status, 200);
    const held = await eventually(
      async () => {
        const c = await getCase(stack, tenant, caseId);
        return clock(c, 'contain')!.paused ? c : undefined;
      },
      5_000,
      'the hold to pause the clock',
    );
    assert.equal(clock(held, 'contain')!.status, 'paused');
    assert.equal(clock(held, 'contain')!.dueAt, null, 'an open hold has no due instant');
    assert.equal(clock(held, 'acknowledge')!.status, 'met', 'the status change was the first analyst action');

    await sleep(1_500);
    assert.equal((await api(stack, tenant, 'PATCH', `/cases/${caseId}`, { status: 'in_progress' })).status, 200);
    const resumed = await eventually(
      async () => {
        const c = await getCase(stack, tenant, caseId);
        return clock(c, 'contain')!.dueAt ? c : undefined;
      },
      5_000,
      'the resume to re-plan',
    );
    const heldFor = new Date(clock(resumed, 'contain')!.dueAt!).getTime() - startedAt - 40_000;
    assert.ok(heldFor >= 1_500 && heldFor < 5_000, `the due instant moved by the time on hold (${heldFor} ms)`);
    assert.equal(clock(resumed, 'contain')!.status, 'running');

    // Raised to high: the high policy's 20 s contain target, from the same start, minus nothing but the hold.
    assert.equal((await api(stack, tenant, 'PATCH', `/cases/${caseId}`, { severity: 'high' })).status, 200);
    const raised = await eventually(
      async () => {
        const c = await getCase(stack, tenant, caseId);
        return clock(c, 'contain')!.severityId === 4 ? c : undefined;
      },
      5_000,
      'the raise to tighten the clock',
    );
    assert.equal(new Date(clock(raised, 'contain')!.dueAt!).getTime() - startedAt - heldFor, 20_000);

    // The high policy changes: the open clock is re-planned with the new target.
    const policies = await mustApi<{ items: Array<{ id: string; severity: string; scope: string; escalationPolicyId: string | null }> }>(stack, tenant, 'GET', '/sla/policies');
    const high = policies.items.find((p) => p.severity === 'high' && p.scope === 'tenant')!;
    const put = await api(stack, tenant, 'PUT', `/sla/policies/${high.id}`, {
      name: 'High',
      severity: 'high',
      timeToAcknowledge: 'PT6S',
      timeToContain: 'PT30S',
      timeToResolve: 'PT1H',
      clockStart: 'received',
      thresholds: [50, 100],
      escalationPolicyId: high.escalationPolicyId,
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const replanned = await eventually(
      async () => {
        const c = await getCase(stack, tenant, caseId);
        return new Date(clock(c, 'contain')!.dueAt!).getTime() - startedAt - heldFor === 30_000 ? c : undefined;
      },
      5_000,
      'the policy change to re-plan the clock',
    );
    assert.equal(clock(replanned, 'contain')!.status, 'running');

    // Resolving stops every clock; the workflow then ends.
    assert.equal((await api(stack, tenant, 'PATCH', `/cases/${caseId}`, { status: 'resolved', resolution: 'true_positive' })).status, 200);
    const resolved = await eventually(
      async () => {
        const c = await getCase(stack, tenant, caseId);
        return c.sla.clocks.every((k) => k.status === 'met') ? c : undefined;
      },
      5_000,
      'resolution to stop the clocks',
    );
    assert.equal(lines(resolved, 'sla_breached').length, 0);
  });
});
