import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ContainmentLedgerRepository, type NewContainment } from '../../src/integration-runtime/containment-ledger.repository.js';
import { startTestStack, type TestStack, type TestTenant } from '../support/stack.js';

describe('ContainmentLedgerRepository (real PostgreSQL)', () => {
  let stack: TestStack;
  let tenant: TestTenant;
  let ledger: ContainmentLedgerRepository;

  before(async () => {
    stack = await startTestStack({ VIGIL_OUTBOX_ENABLED: 'false' });
    tenant = await stack.createTenant();
    ledger = new ContainmentLedgerRepository(stack.db);
  });
  after(async () => {
    await stack?.stop();
  });

  function entry(caseId: string, key: string, over: Partial<NewContainment> = {}): NewContainment {
    return {
      tenantId: tenant.id,
      caseId,
      idempotencyKey: key,
      workflowId: `case-${caseId}`,
      stepId: 'contain',
      action: 'crowdstrike.contain_host',
      inverse: 'crowdstrike.lift_containment',
      input: { deviceIds: ['abc'] },
      target: 'host abc',
      revertsId: null,
      overrideApprovalId: null,
      expiresInSeconds: null,
      ...over,
    };
  }

  test('a claim is one row per idempotency key: claiming again returns that row, with what the first attempt recorded', async () => {
    const caseId = randomUUID();
    const first = await ledger.claim(entry(caseId, `case-${caseId}:contain:1`));
    assert.equal(first.status, 'pending');
    const done = await ledger.succeeded(first.id, { accepted: ['abc'] }, 1800);
    assert.equal(done.status, 'succeeded');
    assert.ok(done.expiresAt && new Date(done.expiresAt).getTime() > Date.now() + 1_700_000);
    const again = await ledger.claim(entry(caseId, `case-${caseId}:contain:1`, { input: { deviceIds: ['other'] } }));
    assert.equal(again.id, first.id);
    assert.equal(again.status, 'succeeded');
    assert.deepEqual(again.result, { accepted: ['abc'] });
    assert.deepEqual(again.input, { deviceIds: ['abc'] }, 'the first claim is kept');
    // A late failure of a retried attempt does not undo a recorded success.
    await ledger.failed(first.id, 'late timeout');
    assert.equal((await ledger.get(tenant.id, first.id))?.status, 'succeeded');
    // Another tenant does not see the row.
    assert.equal(await ledger.get(randomUUID(), first.id), undefined);
  });

  test("a case's revertible containments come newest first; marking one reverted writes its timeline line once", async () => {
    const caseId = randomUUID();
    const older = await ledger.claim(entry(caseId, `case-${caseId}:contain:1`));
    await ledger.succeeded(older.id, {}, null);
    const newer = await ledger.claim(entry(caseId, `case-${caseId}:contain:2`));
    await ledger.succeeded(newer.id, {}, null);
    const pending = await ledger.claim(entry(caseId, `case-${caseId}:contain:3`));
    assert.ok(pending.id);
    const revert = await ledger.claim(entry(caseId, `revert-${caseId}:lift`, { action: 'crowdstrike.lift_containment', inverse: null, revertsId: older.id }));
    await ledger.succeeded(revert.id, {}, null);
    assert.deepEqual(
      (await ledger.revertible(tenant.id, caseId, () => true)).map((r) => r.id),
      [newer.id, older.id],
    );
    assert.deepEqual(await ledger.revertible(tenant.id, caseId, () => false), []);

    const line = {
      tenantId: tenant.id,
      caseId,
      actor: 'user:analyst',
      kind: 'containment_reverted',
      stepId: 'contain',
      message: 'reverted',
      data: {},
      dedupKey: `revert-${caseId}:${older.id}:reverted`,
    };
    assert.equal(await ledger.markReverted({ tenantId: tenant.id, id: older.id, reason: 'requested', revertedBy: 'user:analyst', line }), true);
    assert.equal(await ledger.markReverted({ tenantId: tenant.id, id: older.id, reason: 'requested', revertedBy: 'user:analyst', line: { ...line, dedupKey: 'another' } }), false);
    const row = await ledger.get(tenant.id, older.id);
    assert.ok(row?.revertedAt);
    assert.equal(row.revertReason, 'requested');
    const lines: Array<{ kind: string }> = await stack.db.query(`SELECT kind FROM case_events WHERE tenant_id = $1 AND case_id = $2`, [tenant.id, caseId]);
    assert.deepEqual(lines, [{ kind: 'containment_reverted' }]);
  });
});
