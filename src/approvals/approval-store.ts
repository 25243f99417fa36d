import { Inject, Injectable } from '@nestjs/common';
import { ApplicationFailure } from '@temporalio/common';
import { DataSource, type EntityManager } from 'typeorm';
import { findAction } from '../../integrations/core/catalog.js';
import type { AdvanceApprovalInput, OpenApprovalInput, OpenApprovalResult, RecordApprovalVoteInput } from '../../workflows/contracts/case-activities.js';
import { recordAudit } from '../audit/audit.service.js';
import { appendCaseEvent } from '../cases/case-events.js';
import { queryRows } from '../persistence/query-rows.js';
import { renderParams, renderTemplate } from '../templating/template-renderer.js';

interface GuardView {
  action: string | null;
  target: string | null;
  params: unknown;
  error?: string;
}

/** The guarded action as approvers see it: key, target and parameters rendered with what the run knows now. */
function describeGuard(guard: OpenApprovalInput['guard'], scope: Record<string, unknown>): GuardView {
  if (!guard) return { action: null, target: null, params: null };
  const definition = findAction(guard.action);
  let params: unknown;
  try {
    params = renderParams(guard.params, scope);
  } catch (error) {
    // A later step may feed the guarded action; approvers then see its parameters as written.
    return { action: guard.action, target: null, params: guard.params, error: `parameters not rendered yet: ${(error as Error).message}` };
  }
  const parsed = definition?.input.safeParse(params);
  const target = parsed?.success && definition?.describeTarget ? definition.describeTarget(parsed.data) : null;
  return { action: guard.action, target: target ?? null, params };
}

function roleList(roles: readonly string[]): string {
  return roles.join(' or ');
}

/**
 * The approvals rows and their timeline lines, written by the case workflow's activities. Every
 * write is idempotent (retried activities and replays write once) and commits with its timeline
 * line and, for decisions, its audit line.
 */
@Injectable()
export class ApprovalStore {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async open(input: OpenApprovalInput): Promise<OpenApprovalResult> {
    let question: string;
    try {
      question = renderTemplate(input.question, input.scope);
    } catch (error) {
      throw ApplicationFailure.nonRetryable(`the approval question could not be rendered: ${(error as Error).message}`, 'TemplateError');
    }
    const guard = describeGuard(input.guard, input.scope);
    const level = input.levels[0]!;
    return this.db.transaction(async (m) => {
      const inserted = await queryRows<{ id: string }>(
        m,
        `INSERT INTO approvals (id, tenant_id, case_id, workflow_id, step_id, visit, question, action, target, params, evidence, levels, level_index, quorum, votes, status, default_outcome, requested_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13, '[]', 'pending', $14, $15, to_timestamp($16 / 1000.0))
         ON CONFLICT (workflow_id, step_id, visit) DO NOTHING RETURNING id`,
        [
          input.approvalId,
          input.tenantId,
          input.caseId,
          input.workflowId,
          input.stepId,
          input.visit,
          question,
          guard.action,
          guard.target,
          JSON.stringify(guard.params),
          JSON.stringify(input.evidence),
          JSON.stringify(input.levels),
          input.quorum,
          input.defaultOutcome,
          input.requestedBy,
          input.expiresAt,
        ],
      );
      if (inserted.length === 0) {
        // A retry: the row is already there (with the id the workflow chose).
        const existing = await queryRows<{ id: string; question: string; action: string | null; target: string | null; params: unknown }>(
          m,
          `SELECT id, question, action, target, params FROM approvals WHERE workflow_id = $1 AND step_id = $2 AND visit = $3`,
          [input.workflowId, input.stepId, input.visit],
        );
        const row = existing[0]!;
        return { approvalId: row.id, question: row.question, action: row.action, target: row.target, params: row.params };
      }
      await appendCaseEvent(m, {
        tenantId: input.tenantId,
        caseId: input.caseId,
        actor: 'playbook',
        kind: 'approval_requested',
        stepId: input.stepId,
        message: `approval asked: "${question}"${guard.action ? ` before ${guard.action}${guard.target ? ` on ${guard.target}` : ''}` : ''} (level 1: ${roleList(level.roles)}, quorum ${input.quorum}, ${level.timeout})`,
        data: {
          approvalId: input.approvalId,
          action: guard.action,
          target: guard.target,
          params: guard.params,
          ...(guard.error ? { paramsError: guard.error } : {}),
          evidence: input.evidence,
          quorum: input.quorum,
          levels: input.levels,
          expiresAt: new Date(input.expiresAt).toISOString(),
        },
        dedupKey: `${input.workflowId}:${input.stepId}:${input.visit}:approval_requested`,
      });
      if (input.firstStep) {
        await m.query(`UPDATE cases SET run_status = 'running', updated_at = now() WHERE tenant_id = $1 AND id = $2 AND run_status = 'pending'`, [input.tenantId, input.caseId]);
      }
      return { approvalId: input.approvalId, question, action: guard.action, target: guard.target, params: guard.params };
    });
  }

  async recordVote(input: RecordApprovalVoteInput): Promise<void> {
    const { vote } = input;
    const decided = input.status === 'approved' || input.status === 'rejected';
    const outcome = input.status === 'approved' ? 'approve' : input.status === 'rejected' ? 'reject' : null;
    const reason = decided ? `${input.status} by ${vote.actorId}${vote.comment ? `: ${vote.comment}` : ''}` : null;
    await this.db.transaction(async (m) => {
      // A vote is appended once (an actor votes once); a counted vote never changes the status, so an
      // escalation or expiry written meanwhile is kept.
      const updated = await queryRows<{ id: string }>(
        m,
        `UPDATE approvals SET votes = votes || jsonb_build_array($3::jsonb),
                status = CASE WHEN $4::text <> 'pending' AND status = 'pending' THEN $4::text ELSE status END,
                outcome = CASE WHEN $4::text <> 'pending' AND status = 'pending' THEN $5::text ELSE outcome END,
                outcome_reason = CASE WHEN $4::text <> 'pending' AND status = 'pending' THEN $6::text ELSE outcome_reason END,
                decided_at = CASE WHEN $4::text <> 'pending' AND status = 'pending' THEN now() ELSE decided_at END
         WHERE tenant_id = $1 AND id = $2 AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(votes) v WHERE v->>'actorId' = $7)
         RETURNING id`,
        [input.tenantId, input.approvalId, JSON.stringify(vote), input.status, outcome, reason, vote.actorId],
      );
      if (updated.length === 0) return;
      const tally = `${input.approvals} of ${input.quorum}`;
      const verb = vote.decision === 'approve' ? 'approved' : 'rejected';
      const message = decided
        ? `approval ${input.status} by ${vote.actorId} (${tally})${vote.comment ? `: ${vote.comment}` : ''}`
        : `approval: ${vote.actorId} ${verb} (${tally}), waiting for more${vote.comment ? `: ${vote.comment}` : ''}`;
      await appendCaseEvent(m, {
        tenantId: input.tenantId,
        caseId: input.caseId,
        actor: vote.actorId,
        kind: decided ? 'approval_decided' : 'approval_vote',
        stepId: input.stepId,
        message,
        data: { approvalId: input.approvalId, decision: vote.decision, comment: vote.comment ?? null, via: vote.via, level: vote.level, status: input.status, approvals: input.approvals, quorum: input.quorum },
        dedupKey: `${input.workflowId}:${input.stepId}:approval:${input.approvalId}:vote:${vote.actorId}`,
      });
      await this.audit(m, {
        tenantId: input.tenantId,
        actor: vote.actorId,
        action: decided ? 'approval.decided' : 'approval.voted',
        target: `approval:${input.approvalId}`,
        details: { caseId: input.caseId, decision: vote.decision, comment: vote.comment ?? null, via: vote.via, level: vote.level, status: input.status, approvals: input.approvals, quorum: input.quorum },
        ip: input.origin?.ip ?? null,
        userAgent: input.origin?.userAgent ?? null,
      });
    });
  }

  async advance(input: AdvanceApprovalInput): Promise<void> {
    const { change } = input;
    await this.db.transaction(async (m) => {
      let updated: Array<{ id: string }>;
      let message: string;
      let kind: string;
      if (change.kind === 'escalated') {
        updated = await queryRows(
          m,
          `UPDATE approvals SET level_index = $3, expires_at = to_timestamp($4 / 1000.0) WHERE tenant_id = $1 AND id = $2 AND status = 'pending' AND level_index < $3 RETURNING id`,
          [input.tenantId, input.approvalId, change.level - 1, change.expiresAt],
        );
        kind = 'approval_escalated';
        message = `approval escalated to level ${change.level} (${roleList(change.roles)}): no decision in time`;
      } else if (change.kind === 'expired') {
        updated = await queryRows(
          m,
          `UPDATE approvals SET status = 'expired', outcome = $3, outcome_reason = $4, decided_at = now() WHERE tenant_id = $1 AND id = $2 AND status = 'pending' RETURNING id`,
          [input.tenantId, input.approvalId, change.outcome, `no decision by the end of level ${change.level}: default outcome ${change.outcome}`],
        );
        kind = 'approval_expired';
        message = `approval expired after level ${change.level}: default outcome ${change.outcome}`;
      } else {
        updated = await queryRows(
          m,
          `UPDATE approvals SET status = 'expired', outcome_reason = $3, decided_at = now() WHERE tenant_id = $1 AND id = $2 AND status = 'pending' RETURNING id`,
          [input.tenantId, input.approvalId, `cancelled: ${change.reason}`],
        );
        kind = 'approval_cancelled';
        message = `approval withdrawn: ${change.reason}`;
      }
      if (updated.length === 0) return;
      await appendCaseEvent(m, {
        tenantId: input.tenantId,
        caseId: input.caseId,
        actor: 'playbook',
        kind,
        stepId: input.stepId,
        message,
        data: { approvalId: input.approvalId, ...change },
        dedupKey: `${input.workflowId}:${input.stepId}:approval:${input.approvalId}:${change.kind}:${'level' in change ? change.level : 0}`,
      });
      if (change.kind === 'expired') {
        await this.audit(m, {
          tenantId: input.tenantId,
          actor: 'playbook',
          action: 'approval.expired',
          target: `approval:${input.approvalId}`,
          details: { caseId: input.caseId, level: change.level, outcome: change.outcome },
        });
      }
    });
  }

  private async audit(m: EntityManager, entry: Parameters<typeof recordAudit>[1]): Promise<void> {
    await recordAudit(m, entry);
  }
}
