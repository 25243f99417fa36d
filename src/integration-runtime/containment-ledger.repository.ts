import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '../persistence/query-rows.js';
import { appendCaseEvent, type NewCaseEvent } from '../timeline/index.js';

export interface ContainmentRecord {
  id: string;
  tenantId: string;
  caseId: string | null;
  idempotencyKey: string;
  workflowId: string | null;
  stepId: string | null;
  action: string;
  inverse: string | null;
  input: Record<string, unknown>;
  target: string | null;
  status: 'pending' | 'succeeded' | 'failed';
  result: unknown;
  revertsId: string | null;
  expiresAt: Date | null;
  revertedAt: Date | null;
  revertReason: string | null;
  createdAt: Date;
}

const COLUMNS = `id, tenant_id AS "tenantId", case_id AS "caseId", idempotency_key AS "idempotencyKey", workflow_id AS "workflowId", step_id AS "stepId",
  action, inverse, input, target, status, result, reverts_id AS "revertsId", expires_at AS "expiresAt", reverted_at AS "revertedAt",
  revert_reason AS "revertReason", created_at AS "createdAt"`;

export interface NewContainment {
  tenantId: string;
  caseId: string | null;
  idempotencyKey: string;
  workflowId: string | null;
  stepId: string | null;
  action: string;
  inverse: string | null;
  input: unknown;
  target: string | null;
  revertsId: string | null;
  overrideApprovalId: string | null;
  /** Seconds after success at which the containment reverts itself. */
  expiresInSeconds: number | null;
}

/** A containment undone: who asked, why, and the timeline line that says so (when it belongs to a case). */
export interface ContainmentRevert {
  tenantId: string;
  id: string;
  reason: string;
  revertedBy: string;
  line?: NewCaseEvent;
}

/**
 * The containment ledger (`containment_actions`): one row per idempotency key. The row is claimed
 * before the vendor is called and records the result after, so a retried or replayed activity
 * returns what the first attempt did instead of containing twice; revert reads it back.
 */
@Injectable()
export class ContainmentLedgerRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** The row for this key, created if new. */
  async claim(entry: NewContainment): Promise<ContainmentRecord> {
    const inserted = await queryRows<ContainmentRecord>(
      this.db,
      `INSERT INTO containment_actions (tenant_id, case_id, idempotency_key, workflow_id, step_id, action, inverse, input, target, reverts_id, override_approval_id, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending')
       ON CONFLICT (tenant_id, idempotency_key) DO NOTHING RETURNING ${COLUMNS}`,
      [
        entry.tenantId,
        entry.caseId,
        entry.idempotencyKey,
        entry.workflowId,
        entry.stepId,
        entry.action,
        entry.inverse,
        JSON.stringify(entry.input),
        entry.target,
        entry.revertsId,
        entry.overrideApprovalId,
      ],
    );
    if (inserted[0]) return inserted[0];
    const existing = await queryRows<ContainmentRecord>(this.db, `SELECT ${COLUMNS} FROM containment_actions WHERE tenant_id = $1 AND idempotency_key = $2`, [
      entry.tenantId,
      entry.idempotencyKey,
    ]);
    return existing[0]!;
  }

  async succeeded(id: string, result: unknown, expiresInSeconds: number | null): Promise<ContainmentRecord> {
    const rows = await queryRows<ContainmentRecord>(
      this.db,
      `UPDATE containment_actions SET status = 'succeeded', result = $2, error = NULL, updated_at = now(),
         expires_at = CASE WHEN $3::float8 IS NULL THEN NULL ELSE clock_timestamp() + make_interval(secs => $3::float8) END
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, JSON.stringify(result ?? null), expiresInSeconds],
    );
    return rows[0]!;
  }

  async failed(id: string, error: string): Promise<void> {
    await this.db.query(`UPDATE containment_actions SET status = 'failed', error = $2, updated_at = now() WHERE id = $1 AND status <> 'succeeded'`, [id, error.slice(0, 2000)]);
  }

  async get(tenantId: string, id: string): Promise<ContainmentRecord | undefined> {
    const rows = await queryRows<ContainmentRecord>(this.db, `SELECT ${COLUMNS} FROM containment_actions WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
    return rows[0];
  }

  /** A case's successful containments that are not reverts themselves, newest first (the order to undo them in). */
  async revertible(tenantId: string, caseId: string, containing: (action: string) => boolean): Promise<ContainmentRecord[]> {
    const rows = await queryRows<ContainmentRecord>(
      this.db,
      `SELECT ${COLUMNS} FROM containment_actions
       WHERE tenant_id = $1 AND case_id = $2 AND status = 'succeeded' AND reverts_id IS NULL AND inverse IS NOT NULL
       ORDER BY created_at DESC, id DESC`,
      [tenantId, caseId],
    );
    return rows.filter((r) => containing(r.action));
  }

  /** Marks the containment reverted, with its timeline line, in one transaction; false when it was reverted already. */
  async markReverted(r: ContainmentRevert): Promise<boolean> {
    return this.db.transaction(async (m) => {
      const updated = await queryRows<{ id: string }>(
        m,
        `UPDATE containment_actions SET reverted_at = clock_timestamp(), revert_reason = $3, reverted_by = $4, updated_at = now()
         WHERE tenant_id = $1 AND id = $2 AND reverted_at IS NULL RETURNING id`,
        [r.tenantId, r.id, r.reason, r.revertedBy],
      );
      if (updated.length === 0) return false;
      if (r.line) await appendCaseEvent(m, r.line);
      return true;
    });
  }
}
