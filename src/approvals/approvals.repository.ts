import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ApprovalDecision, ApprovalStatus } from '../../workflows/contracts/approval-messages.js';
import type { ApprovalVoteRecord } from '../../workflows/contracts/case-activities.js';
import type { ApprovalLevel } from '../../workflows/language/playbook.types.js';
import { type AuditEntry, recordAudit } from '../audit/index.js';
import { queryRows } from '../persistence/query-rows.js';
import { appendCaseEvent, markRunRunning, type NewCaseEvent } from '../timeline/index.js';
import type { ApprovalListQuery, ApprovalView } from './approval.schemas.js';

export interface ApprovalRow {
  id: string;
  tenant_id: string;
  case_id: string;
  workflow_id: string;
  step_id: string;
  question: string;
  action: string | null;
  target: string | null;
  params: unknown;
  evidence: Record<string, unknown>;
  levels: Array<{ roles: string[]; timeout: string; notify?: string }>;
  level_index: number;
  quorum: number;
  votes: Array<{ actorId: string; decision: ApprovalDecision; comment?: string; level: number; via: 'api' | 'link' | 'slack'; at: number }>;
  status: ApprovalView['status'];
  outcome: ApprovalDecision | null;
  outcome_reason: string | null;
  requested_by: string;
  created_at: Date;
  expires_at: Date;
  decided_at: Date | null;
}

const COLUMNS = `id, tenant_id, case_id, workflow_id, step_id, question, action, target, params, evidence, levels, level_index, quorum, votes, status, outcome, outcome_reason, requested_by, created_at, expires_at, decided_at`;

/** A pending approval as the run opens it (one per workflow, step and visit). */
export interface NewApproval {
  id: string;
  tenantId: string;
  caseId: string;
  workflowId: string;
  stepId: string;
  visit: string;
  question: string;
  action: string | null;
  target: string | null;
  params: unknown;
  evidence: Record<string, unknown>;
  levels: ApprovalLevel[];
  quorum: number;
  defaultOutcome: ApprovalDecision;
  requestedBy: string;
  /** Epoch ms when the first level times out. */
  expiresAt: number;
}

/** What approvers are asked: the question and the guarded action. */
export interface ApprovalHead {
  id: string;
  question: string;
  action: string | null;
  target: string | null;
  params: unknown;
}

export interface ApprovalVote {
  tenantId: string;
  approvalId: string;
  vote: ApprovalVoteRecord;
  /** The approval's status after this vote; a counted vote never changes a status written meanwhile. */
  status: ApprovalStatus;
  outcome: ApprovalDecision | null;
  reason: string | null;
}

/** A pending approval moving on without a vote: to its next level, to its default outcome, or withdrawn. */
export type ApprovalAdvance = { tenantId: string; approvalId: string } & (
  { kind: 'escalated'; levelIndex: number; expiresAt: number } | { kind: 'expired'; outcome: ApprovalDecision; reason: string } | { kind: 'cancelled'; reason: string }
);

/** A user a link decides as, and the role they hold in the approval's tenant. */
export interface ApproverUser {
  id: string;
  role: string;
}

export interface LinkUse {
  tokenHash: string;
  tenantId: string;
  approvalId: string;
  approver: string;
  decision: ApprovalDecision;
}

/**
 * The approvals rows (`approvals`, `approval_link_uses`). The run's writes are idempotent (retried
 * activities and replays write once) and commit with their timeline line and, for decisions, their
 * audit line.
 */
@Injectable()
export class ApprovalsRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /**
   * Inserts the approval with its timeline line (and the run's move to `running` on its first step)
   * in one transaction. A retry finds the row there (with the id the workflow chose) and gets it back.
   */
  async open(a: NewApproval, line: NewCaseEvent, firstStep: boolean): Promise<ApprovalHead> {
    return this.db.transaction(async (m) => {
      const inserted = await queryRows<{ id: string }>(
        m,
        `INSERT INTO approvals (id, tenant_id, case_id, workflow_id, step_id, visit, question, action, target, params, evidence, levels, level_index, quorum, votes, status, default_outcome, requested_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13, '[]', 'pending', $14, $15, to_timestamp($16 / 1000.0))
         ON CONFLICT (workflow_id, step_id, visit) DO NOTHING RETURNING id`,
        [
          a.id,
          a.tenantId,
          a.caseId,
          a.workflowId,
          a.stepId,
          a.visit,
          a.question,
          a.action,
          a.target,
          JSON.stringify(a.params),
          JSON.stringify(a.evidence),
          JSON.stringify(a.levels),
          a.quorum,
          a.defaultOutcome,
          a.requestedBy,
          a.expiresAt,
        ],
      );
      if (inserted.length === 0) {
        const existing = await queryRows<ApprovalHead>(m, `SELECT id, question, action, target, params FROM approvals WHERE workflow_id = $1 AND step_id = $2 AND visit = $3`, [
          a.workflowId,
          a.stepId,
          a.visit,
        ]);
        return existing[0]!;
      }
      await appendCaseEvent(m, line);
      if (firstStep) await markRunRunning(m, a.tenantId, a.caseId);
      return { id: a.id, question: a.question, action: a.action, target: a.target, params: a.params };
    });
  }

  /** Appends a vote (once per actor) with its timeline and audit lines; false when the actor had voted already. */
  async addVote(v: ApprovalVote, line: NewCaseEvent, audit: AuditEntry): Promise<boolean> {
    return this.db.transaction(async (m) => {
      const updated = await queryRows<{ id: string }>(
        m,
        `UPDATE approvals SET votes = votes || jsonb_build_array($3::jsonb),
                status = CASE WHEN $4::text <> 'pending' AND status = 'pending' THEN $4::text ELSE status END,
                outcome = CASE WHEN $4::text <> 'pending' AND status = 'pending' THEN $5::text ELSE outcome END,
                outcome_reason = CASE WHEN $4::text <> 'pending' AND status = 'pending' THEN $6::text ELSE outcome_reason END,
                decided_at = CASE WHEN $4::text <> 'pending' AND status = 'pending' THEN now() ELSE decided_at END
         WHERE tenant_id = $1 AND id = $2 AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(votes) v WHERE v->>'actorId' = $7)
         RETURNING id`,
        [v.tenantId, v.approvalId, JSON.stringify(v.vote), v.status, v.outcome, v.reason, v.vote.actorId],
      );
      if (updated.length === 0) return false;
      await appendCaseEvent(m, line);
      await recordAudit(m, audit);
      return true;
    });
  }

  /** Moves a pending approval on, with its timeline line (and audit line, if given); false when it was no longer pending there. */
  async advance(change: ApprovalAdvance, line: NewCaseEvent, audit?: AuditEntry): Promise<boolean> {
    return this.db.transaction(async (m) => {
      let updated: Array<{ id: string }>;
      if (change.kind === 'escalated') {
        updated = await queryRows(
          m,
          `UPDATE approvals SET level_index = $3, expires_at = to_timestamp($4 / 1000.0) WHERE tenant_id = $1 AND id = $2 AND status = 'pending' AND level_index < $3 RETURNING id`,
          [change.tenantId, change.approvalId, change.levelIndex, change.expiresAt],
        );
      } else if (change.kind === 'expired') {
        updated = await queryRows(
          m,
          `UPDATE approvals SET status = 'expired', outcome = $3, outcome_reason = $4, decided_at = now() WHERE tenant_id = $1 AND id = $2 AND status = 'pending' RETURNING id`,
          [change.tenantId, change.approvalId, change.outcome, change.reason],
        );
      } else {
        updated = await queryRows(
          m,
          `UPDATE approvals SET status = 'expired', outcome_reason = $3, decided_at = now() WHERE tenant_id = $1 AND id = $2 AND status = 'pending' RETURNING id`,
          [change.tenantId, change.approvalId, change.reason],
        );
      }
      if (updated.length === 0) return false;
      await appendCaseEvent(m, line);
      if (audit) await recordAudit(m, audit);
      return true;
    });
  }

  async list(tenantId: string, query: ApprovalListQuery): Promise<ApprovalRow[]> {
    return queryRows<ApprovalRow>(
      this.db,
      `SELECT ${COLUMNS} FROM approvals
       WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::uuid IS NULL OR case_id = $3::uuid)
       ORDER BY created_at DESC, id LIMIT $4`,
      [tenantId, query.status ?? null, query.caseId ?? null, query.limit],
    );
  }

  async find(tenantId: string, id: string): Promise<ApprovalRow | undefined> {
    const rows = await queryRows<ApprovalRow>(this.db, `SELECT ${COLUMNS} FROM approvals WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
    return rows[0];
  }

  /** A user of the tenant who may be named by a link: one that exists and is not removed. */
  async activeUser(tenantId: string, userId: string): Promise<ApproverUser | undefined> {
    const rows = await queryRows<ApproverUser>(this.db, `SELECT id, role FROM users WHERE tenant_id = $1 AND id = $2 AND removed_at IS NULL`, [tenantId, userId]);
    return rows[0];
  }

  /**
   * Whether a link may still be used, in one query: its tenant is active, and the user it names
   * (`userId`, null when the link names none) is still a user of that tenant, with their role now.
   */
  async linkStanding(tenantId: string, userId: string | null): Promise<{ tenantActive: boolean; approver: ApproverUser | undefined }> {
    const rows = await queryRows<{ status: string; user_id: string | null; role: string | null }>(
      this.db,
      `SELECT t.status, u.id AS user_id, u.role FROM tenants t
       LEFT JOIN users u ON u.id = $2::uuid AND u.tenant_id = t.id AND u.removed_at IS NULL
       WHERE t.id = $1`,
      [tenantId, userId],
    );
    const row = rows[0];
    return { tenantActive: row?.status === 'active', approver: row?.user_id && row.role ? { id: row.user_id, role: row.role } : undefined };
  }

  async linkUsed(tokenHash: string): Promise<boolean> {
    const used = await queryRows(this.db, `SELECT 1 FROM approval_link_uses WHERE token_hash = $1`, [tokenHash]);
    return used.length > 0;
  }

  /**
   * Records a link's one use and runs `decide` in the same transaction: the use commits when `decide`
   * resolves and rolls back when it throws. `used` when the link had been used already (`decide` is
   * not called).
   */
  async useLinkOnce<T>(use: LinkUse, decide: () => Promise<T>): Promise<{ used: true } | { used: false; result: T }> {
    return this.db.transaction(async (m) => {
      const fresh = await queryRows(
        m,
        `INSERT INTO approval_link_uses (token_hash, tenant_id, approval_id, approver, decision) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (token_hash) DO NOTHING RETURNING token_hash`,
        [use.tokenHash, use.tenantId, use.approvalId, use.approver, use.decision],
      );
      if (fresh.length === 0) return { used: true as const };
      return { used: false as const, result: await decide() };
    });
  }

  /** An audit line of its own (an API action that changes no approval row). */
  async audit(entry: AuditEntry): Promise<void> {
    await recordAudit(this.db, entry);
  }
}
