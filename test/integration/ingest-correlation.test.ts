import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually, http, type RunningWorker, startTestStack, type TestStack, type TestTenant } from '../support/stack.js';

interface Ingested {
  index: number;
  id: string;
  caseId: string;
  duplicate: boolean;
  changed?: string[];
}
interface IngestBody {
  alerts: Ingested[];
}
interface CaseBody {
  id: string;
  status: string;
  severityId: number;
  alertCount: number;
  run: { status: string; live: { alertsSeen: number; steps: Array<{ stepId: string; state: string }> } | null };
  alerts: Array<{ id: string; count: number; joinReason: { rule: string; fields: string[]; values: Record<string, string>; windowMinutes: number; fingerprint: string } }>;
  observables: Array<{ kind: string; value: string; alertCount: number }>;
}

/** Critical alerts get a playbook that waits for a second alert and reacts to it; others get no playbook (no run). */
const PLAYBOOK = `id: second_alert
name: React to a second alert
version: "1.0.0"
priority: 10
triggers:
  - minSeverity: 5
steps:
  - id: hold
    kind: wait
    duration: 60s
    until: new_alert
  - id: escalate
    kind: status
    when: "steps.hold.output.newAlert == true"
    status: in_progress
  - id: done
    kind: end
    summary: reacted to the second alert
`;

describe('correlation and update semantics', () => {
  let stack: TestStack;
  let worker: RunningWorker;

  before(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-correlation-'));
    writeFileSync(path.join(dir, 'second-alert.yaml'), PLAYBOOK);
    // A database of its own: another test file's relay must not pick this file's outbox rows.
    stack = await startTestStack({ VIGIL_PLAYBOOKS_DIR: dir, DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/vigil_test_ingest_correlation' });
    worker = await stack.startWorker();
  });
  after(async () => {
    await worker?.stop();
    await stack?.stop();
  });

  const post = async (tenant: TestTenant, body: unknown): Promise<Ingested[]> => {
    const res = await http<IngestBody>('POST', `${stack.url}/api/v1/alerts/generic`, { key: tenant.key, body });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return res.body.alerts;
  };
  const view = async (tenant: TestTenant, caseId: string): Promise<CaseBody> => {
    const res = await http<CaseBody>('GET', `${stack.url}/api/v1/cases/${caseId}`, { key: tenant.key });
    assert.equal(res.status, 200);
    return res.body;
  };
  const alert = (uid: string, extra: Record<string, unknown> = {}) => ({
    title: 'Brute force on bastion',
    severity: 'medium',
    sourceId: uid,
    host: 'bastion-01',
    rule: 'ssh_brute_force',
    time: '2026-03-02T10:00:00Z',
    ...extra,
  });

  test('an alert with the same fingerprint joins the open case; the case records why each alert joined', async () => {
    const tenant = await stack.createTenant();
    const [a] = await post(tenant, alert('j-1'));
    const [b] = await post(tenant, alert('j-2', { user: 'root' }));
    const [c] = await post(tenant, alert('j-3', { host: 'bastion-02' }));
    assert.equal(b!.caseId, a!.caseId, 'same source, rule and host: same case');
    assert.notEqual(c!.caseId, a!.caseId, 'another host: another case');
    const v = await view(tenant, a!.caseId);
    assert.equal(v.alertCount, 2);
    assert.deepEqual(
      v.alerts.map((x) => [x.id, x.joinReason.rule, x.joinReason.fields, x.joinReason.values, x.joinReason.windowMinutes]),
      [
        [a!.id, 'new_case', ['source', 'rule', 'host'], { source: 'generic', rule: 'ssh_brute_force', host: 'bastion-01' }, 60],
        [b!.id, 'fingerprint', ['source', 'rule', 'host'], { source: 'generic', rule: 'ssh_brute_force', host: 'bastion-01' }, 60],
      ],
    );
    assert.equal(v.alerts[0]!.joinReason.fingerprint, v.alerts[1]!.joinReason.fingerprint);
  });

  test('no joining a case whose last alert is older than the window, or a case that is finished or merged', async () => {
    const tenant = await stack.createTenant();
    const [first] = await post(tenant, alert('w-1'));
    await stack.db.query(`UPDATE cases SET last_alert_at = now() - interval '61 minutes' WHERE id = $1`, [first!.caseId]);
    const [late] = await post(tenant, alert('w-2'));
    assert.notEqual(late!.caseId, first!.caseId, 'outside the 60-minute window: a new case');

    for (const change of [`status = 'resolved'`, `status = 'closed'`, `status = 'false_positive'`, `merged_into = gen_random_uuid()`]) {
      const [open] = await post(tenant, alert(`w-open-${change}`));
      await stack.db.query(`UPDATE cases SET ${change} WHERE id = $1`, [open!.caseId]);
      const [next] = await post(tenant, alert(`w-next-${change}`));
      assert.notEqual(next!.caseId, open!.caseId, `${change}: a new case`);
    }
    const [again] = await post(tenant, alert('w-again'));
    const rows: Array<{ id: string }> = await stack.db.query(`SELECT id FROM cases WHERE tenant_id = $1 ORDER BY last_alert_at DESC LIMIT 1`, [tenant.id]);
    assert.equal(again!.caseId, rows[0]!.id, 'the newest open case is the one joined');
  });

  test('a re-sent alert (same source id) updates the alert: count, last seen, severity, and which fields changed', async () => {
    const tenant = await stack.createTenant();
    const [first] = await post(tenant, alert('u-1', { description: 'first sighting' }));
    const before: Array<{ last_seen_at: Date }> = await stack.db.query('SELECT last_seen_at FROM alerts WHERE id = $1', [first!.id]);
    const [same] = await post(tenant, alert('u-1', { description: 'first sighting' }));
    assert.deepEqual([same!.id, same!.caseId, same!.duplicate, same!.changed], [first!.id, first!.caseId, true, []]);
    const [updated] = await post(tenant, alert('u-1', { description: 'seen again, worse', severity: 'critical', time: '2026-03-02T11:00:00Z' }));
    assert.equal(updated!.id, first!.id);
    assert.equal(updated!.duplicate, true);
    // The vendor's own time changed too (OCSF metadata.original_time).
    assert.deepEqual(updated!.changed, ['finding_info.desc', 'metadata.original_time', 'severity', 'severity_id', 'time']);

    const rows: Array<{
      count: number;
      last_seen_at: Date;
      first_seen_at: Date;
      severity_id: number;
      event_time: Date;
      changes: Array<{ count: number; fields: string[]; at: string }>;
    }> = await stack.db.query('SELECT count, last_seen_at, first_seen_at, severity_id, event_time, changes FROM alerts WHERE id = $1', [first!.id]);
    const row = rows[0]!;
    assert.equal(row.count, 3);
    assert.equal(row.severity_id, 5);
    assert.equal(row.event_time.toISOString(), '2026-03-02T11:00:00.000Z');
    assert.ok(row.last_seen_at > before[0]!.last_seen_at, 'last seen moves');
    assert.ok(row.first_seen_at <= before[0]!.last_seen_at, 'first seen stays');
    assert.deepEqual(
      row.changes.map((c) => [c.count, c.fields]),
      [[3, ['finding_info.desc', 'metadata.original_time', 'severity', 'severity_id', 'time']]],
      'only the re-send that changed something is recorded',
    );

    const v = await view(tenant, first!.caseId);
    assert.equal(v.alertCount, 1, 'an update is not a new alert');
    assert.equal(v.alerts.length, 1);
    assert.equal(v.alerts[0]!.count, 3);
    assert.equal(v.severityId, 5, 'the case takes the higher severity');
  });

  test("the tenant's window and fingerprint fields apply", async () => {
    const tenant = await stack.createTenant();
    const set = await http('PUT', `${stack.url}/api/v1/settings/correlation`, { key: tenant.key, body: { windowMinutes: 5, fields: ['source', 'rule'] } });
    assert.equal(set.status, 200);
    const [a] = await post(tenant, alert('s-1', { host: 'host-a' }));
    const [b] = await post(tenant, alert('s-2', { host: 'host-b' }));
    assert.equal(b!.caseId, a!.caseId, 'hosts are not part of this tenant’s fingerprint');
    const v = await view(tenant, a!.caseId);
    assert.deepEqual(v.alerts[1]!.joinReason.fields, ['source', 'rule']);
    assert.equal(v.alerts[1]!.joinReason.windowMinutes, 5);
    await stack.db.query(`UPDATE cases SET last_alert_at = now() - interval '6 minutes' WHERE id = $1`, [a!.caseId]);
    const [c] = await post(tenant, alert('s-3', { host: 'host-c' }));
    assert.notEqual(c!.caseId, a!.caseId, 'outside the 5-minute window');
  });

  test('observables are listed once per case, with how many alerts carry each', async () => {
    const tenant = await stack.createTenant();
    const [a] = await post(
      tenant,
      alert('o-1', {
        observables: [
          { type: 'ip', value: '203.0.113.9' },
          { type: 'domain', value: 'evil.example' },
        ],
      }),
    );
    await post(
      tenant,
      alert('o-2', {
        observables: [
          { type: 'ip', value: '203.0.113.9' },
          { type: 'domain', value: 'EVIL.example' },
          { type: 'ip', value: '198.51.100.4' },
        ],
      }),
    );
    const v = await view(tenant, a!.caseId);
    const byValue = new Map(v.observables.map((o) => [`${o.kind}:${o.value.toLowerCase()}`, o.alertCount]));
    assert.equal(v.observables.filter((o) => o.value === '203.0.113.9').length, 1);
    assert.equal(v.observables.filter((o) => o.value.toLowerCase() === 'evil.example').length, 1);
    assert.equal(byValue.get('ip:203.0.113.9'), 2);
    assert.equal(byValue.get('domain:evil.example'), 2);
    assert.equal(byValue.get('ip:198.51.100.4'), 1);
  });

  test('concurrent deliveries: one new fingerprint makes one case; one source id makes one alert', async () => {
    const tenant = await stack.createTenant();
    const fresh = await Promise.all(Array.from({ length: 20 }, (_, i) => post(tenant, alert(`c-${i}`, { host: 'race-host' }))));
    assert.equal(new Set(fresh.map((r) => r[0]!.caseId)).size, 1);
    const same = await Promise.all(Array.from({ length: 10 }, () => post(tenant, alert('c-same', { host: 'race-host-2' }))));
    assert.equal(new Set(same.map((r) => r[0]!.id)).size, 1);
    assert.deepEqual(same.map((r) => r[0]!.duplicate).sort(), [false, ...Array<boolean>(9).fill(true)].sort());
    const rows: Array<{ alert_count: number; count: number }> = await stack.db.query(
      `SELECT c.alert_count, a.count FROM cases c JOIN alerts a ON a.case_id = c.id WHERE c.tenant_id = $1 AND a.source_uid = 'c-same'`,
      [tenant.id],
    );
    assert.deepEqual(rows, [{ alert_count: 1, count: 10 }]);
    const big: Array<{ alert_count: number }> = await stack.db.query('SELECT alert_count FROM cases WHERE id = $1', [fresh[0]![0]!.caseId]);
    assert.equal(big[0]!.alert_count, 20);
  });

  test('a running case workflow hears of a second alert by signal and reacts to it (wait until: new_alert)', async () => {
    const tenant = await stack.createTenant();
    const [first] = await post(tenant, alert('wf-1', { severity: 'critical', host: 'wf-host' }));
    const waiting = await eventually(
      async () => {
        const v = await view(tenant, first!.caseId);
        return v.run.live?.steps.some((s) => s.stepId === 'hold' && s.state === 'running') ? v : undefined;
      },
      15_000,
      'the run to wait for a new alert',
    );
    assert.equal(waiting.run.live!.alertsSeen, 1);
    const [second] = await post(tenant, alert('wf-2', { severity: 'critical', host: 'wf-host' }));
    assert.equal(second!.caseId, first!.caseId);
    const done = await eventually(
      async () => {
        const v = await view(tenant, first!.caseId);
        return v.run.status === 'completed' ? v : undefined;
      },
      15_000,
      'the run to finish after the second alert',
    );
    assert.equal(done.status, 'in_progress', 'the step guarded by the new alert ran');
    assert.equal(done.run.live!.alertsSeen, 2);
    assert.deepEqual(
      done.run.live!.steps.map((s) => [s.stepId, s.state]),
      [
        ['hold', 'completed'],
        ['escalate', 'completed'],
        ['done', 'completed'],
      ],
    );
  });
});
