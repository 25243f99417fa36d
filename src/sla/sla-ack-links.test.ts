import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signLink } from '../approvals/approval-links.js';
import { signAckLink, verifyAckLink } from './sla-ack-links.js';
import { SlaMetrics } from './sla-metrics.js';

const KEY = 'k'.repeat(64);
const claims = {
  tenantId: '0b7e3c52-8a3f-4f0e-b8a4-2a3c9d1e5f60',
  caseId: '1c8f4d63-9b40-4a1f-89b5-3b4daf2f6071',
  clock: 'acknowledge' as const,
  userId: null,
  via: 'slack',
  exp: 2_000_000_000,
};

test('an acknowledgement link verifies with its key until it expires, and names its clock', () => {
  const token = signAckLink(claims, KEY);
  const ok = verifyAckLink(token, KEY, 1_000_000_000_000);
  assert.equal(ok.ok, true);
  assert.equal(ok.ok && ok.claims.clock, 'acknowledge');
  assert.deepEqual(verifyAckLink(token, KEY, 2_000_000_000_000), { ok: false, reason: 'expired' });
  assert.deepEqual(verifyAckLink(token, 'x'.repeat(64), 0), { ok: false, reason: 'bad_signature' });
  assert.deepEqual(verifyAckLink(`${token.split('.')[0]}x.${token.split('.')[1]}`, KEY, 0), { ok: false, reason: 'bad_signature' });
  assert.deepEqual(verifyAckLink('nonsense', KEY, 0), { ok: false, reason: 'malformed' });
});

test('an approval link is never an acknowledgement link, though both use the same key', () => {
  const approval = signLink({ approvalId: claims.caseId, tenantId: claims.tenantId, approver: { id: 'user:x', roles: ['analyst'] }, exp: claims.exp }, KEY);
  assert.deepEqual(verifyAckLink(approval, KEY, 0), { ok: false, reason: 'bad_signature' });
});

test('SLA metrics count breaches and pages per tenant, severity and clock', () => {
  const m = new SlaMetrics();
  m.recordBreach('t1', 4, 'acknowledge');
  m.recordBreach('t1', 4, 'acknowledge');
  m.recordBreach('t2', 5, 'contain');
  m.recordEscalation('t1', 4, 'acknowledge', 0, 50);
  assert.equal(m.breaches.get({ tenant: 't1', severity: '4', clock: 'acknowledge' }), 2);
  assert.equal(m.breaches.get({ tenant: 't2', severity: '5', clock: 'contain' }), 1);
  assert.deepEqual(m.escalations.samples(), [{ labels: { tenant: 't1', severity: '4', clock: 'acknowledge', level: '0', threshold: '50' }, value: 1 }]);
  assert.deepEqual(
    m.counters().map((c) => c.name),
    ['vigil_sla_breaches_total', 'vigil_sla_escalations_total'],
  );
});
