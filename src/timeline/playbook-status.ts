import type { EntityManager } from 'typeorm';
import { recordAudit } from '../audit/index.js';
import { queryRows } from '../persistence/query-rows.js';
import { appendCaseEvent } from './timeline-insert.js';
import { type CaseStatus, checkTransition, FINISHED_STATUSES, isCaseResolution, isCaseStatus } from '../common/case-lifecycle.js';

export interface PlaybookStatusChange {
  tenantId: string;
  caseId: string;
  to: string;
  /** The `end` step's resolution, if any. */
  resolution?: string | null;
  /** Idempotency key of the step or run that asks for the change. */
  dedupKey: string;
}

/**
 * A playbook's `status` or `end` step moving its case, through the same lifecycle table as analysts
 * (playbooks may not reopen finished cases). A disallowed move is not an error: it becomes a
 * `transition_refused` timeline line and the case keeps its status. Returns true when the case is in
 * the requested status afterwards.
 */
export async function applyPlaybookStatus(m: EntityManager, change: PlaybookStatusChange): Promise<boolean> {
  const { tenantId, caseId, to, dedupKey } = change;
  // A retried activity finds its own earlier answer, even if an analyst moved the case since.
  const earlier = await queryRows<{ kind: string }>(m, `SELECT kind FROM case_events WHERE tenant_id = $1 AND dedup_key = $2`, [tenantId, dedupKey]);
  if (earlier[0]) return earlier[0].kind === 'status_changed';
  const rows = await queryRows<{ status: string; resolution: string | null; merged_into: string | null }>(
    m,
    `SELECT status, resolution, merged_into FROM cases WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
    [tenantId, caseId],
  );
  const row = rows[0];
  if (!row) return false;
  if (row.status === to) return true;
  // A resolution only means something for a finished case; on any other status an `end` step's resolution is ignored.
  const resolution = isCaseResolution(change.resolution) && FINISHED_STATUSES.has(to as CaseStatus) ? change.resolution : null;
  const check =
    !isCaseStatus(row.status) || !isCaseStatus(to)
      ? ({ ok: false, code: 'invalid_transition', message: `unknown status ${isCaseStatus(to) ? row.status : to}`, allowed: [] } as const)
      : row.merged_into
        ? ({ ok: false, code: 'invalid_transition', message: `the case was merged into case ${row.merged_into}`, allowed: [] } as const)
        : checkTransition({ from: row.status, to, actor: 'playbook', resolution, currentResolution: row.resolution });
  if (!check.ok) {
    await appendCaseEvent(m, {
      tenantId,
      caseId,
      actor: 'playbook',
      kind: 'transition_refused',
      message: `playbook could not move the case from ${row.status} to ${to}: ${check.message}`,
      data: { from: row.status, to, reason: check.code, ...('allowed' in check ? { allowed: check.allowed } : {}) },
      dedupKey,
    });
    return false;
  }
  await m.query(`UPDATE cases SET status = $3, resolution = $4, updated_at = now() WHERE tenant_id = $1 AND id = $2`, [tenantId, caseId, to, check.resolution]);
  const fresh = await appendCaseEvent(m, {
    tenantId,
    caseId,
    actor: 'playbook',
    kind: 'status_changed',
    message: `status ${row.status} → ${to}`,
    data: { from: row.status, to, ...(check.resolution !== row.resolution ? { resolution: check.resolution } : {}) },
    dedupKey,
  });
  if (fresh) {
    await recordAudit(m, {
      tenantId,
      actor: 'playbook',
      action: 'case.status_changed',
      target: `case:${caseId}`,
      details: { from: row.status, to, resolution: check.resolution },
    });
  }
  return true;
}
