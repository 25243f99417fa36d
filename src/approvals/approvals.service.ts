import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ApprovalActor, ApprovalDecision, DecideApprovalResult } from '../../workflows/contracts/approval-messages.js';
import type { RequestOrigin } from '../common/http/request-origin.js';
import { notFound, VigilError } from '../common/errors/vigil-error.js';
import { type AppConfig, APP_CONFIG } from '../config/config.schema.js';
import { ApprovalRefusedError, Orchestrator } from '../temporal/index.js';
import type { Principal } from '../common/auth/principal.js';
import { type LinkClaims, linkUseKey, signLink, verifyLink } from './approval-links.js';
import { type ApprovalRow, ApprovalsRepository, type ApproverUser } from './approvals.repository.js';
import type { ApprovalListQuery, ApprovalView, DecisionBody, DecisionResult, LinkBody, LinkResult, LinkView } from './approval.schemas.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const USER_ACTOR = /^user:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** The user id a link's approver names (`user:<uuid>`), or null when it names none. */
function approverUserId(approverId: string): string | null {
  return USER_ACTOR.exec(approverId)?.[1] ?? null;
}

function toView(r: ApprovalRow): ApprovalView {
  return {
    id: r.id,
    caseId: r.case_id,
    stepId: r.step_id,
    question: r.question,
    action: r.action,
    target: r.target,
    params: r.params,
    evidence: r.evidence,
    status: r.status,
    outcome: r.outcome,
    outcomeReason: r.outcome_reason,
    level: r.level_index + 1,
    levels: r.levels,
    quorum: r.quorum,
    approvals: r.votes.filter((v) => v.decision === 'approve').length,
    votes: r.votes.map((v) => ({ actor: v.actorId, decision: v.decision, comment: v.comment ?? null, level: v.level, via: v.via, at: new Date(v.at).toISOString() })),
    requestedBy: r.requested_by,
    createdAt: new Date(r.created_at).toISOString(),
    expiresAt: new Date(r.expires_at).toISOString(),
    decidedAt: r.decided_at ? new Date(r.decided_at).toISOString() : null,
  };
}

/** What a refusal means to the caller: 409 for a state that moved on, 403 for who is asking. */
function refusalError(error: ApprovalRefusedError): VigilError {
  switch (error.refusal) {
    case 'forbidden_role':
    case 'self_approval':
      return new VigilError('forbidden', error.message, { reason: error.refusal });
    default:
      return new VigilError('conflict', error.message, { reason: error.refusal });
  }
}

function resultMessage(r: DecideApprovalResult): string {
  if (r.outcome === 'counted') return `vote counted: ${r.approvals} of ${r.quorum} approvals`;
  return r.outcome === 'approved' ? `approved (${r.approvals} of ${r.quorum}): the run goes on` : 'rejected: the run goes on without the action';
}

/**
 * Approvals for the API: lists and reads (tenant-scoped; another tenant's approval is not found),
 * decisions (handed to the waiting workflow through the orchestrator port, which decides), and
 * signed one-time links that decide as a named approver.
 */
@Injectable()
export class ApprovalsService {
  private readonly logger = new Logger('ApprovalsService');

  constructor(
    @Inject(ApprovalsRepository) private readonly approvals: ApprovalsRepository,
    @Inject(Orchestrator) private readonly orchestrator: Orchestrator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    if (config.approvalLinks.ephemeralKey && config.env === 'development') {
      this.logger.warn('VIGIL_LINK_SIGNING_KEY is not set: approval links are signed with a random key and stop working when this process restarts');
    }
  }

  async list(tenantId: string, query: ApprovalListQuery): Promise<{ items: ApprovalView[] }> {
    const rows = await this.approvals.list(tenantId, query);
    return { items: rows.map(toView) };
  }

  async get(tenantId: string, id: string): Promise<ApprovalView> {
    return toView(await this.row(tenantId, id));
  }

  /** An analyst's decision through the API: the caller's API key role is their role. */
  async decide(principal: Principal, origin: RequestOrigin, id: string, body: DecisionBody): Promise<DecisionResult> {
    const row = await this.row(principal.tenantId, id);
    try {
      return await this.send(row, { id: principal.actor, roles: [principal.role] }, body.decision, body.comment, 'api', origin);
    } catch (error) {
      throw error instanceof ApprovalRefusedError ? refusalError(error) : error;
    }
  }

  /**
   * A link for a real user of the approval's tenant: it decides as `user:<id>`, the same actor as
   * that user's API keys (so one user votes once, and a requester stays a requester), with the role
   * the user holds. Roles in the body must be that role; a link cannot lend a role.
   */
  async createLink(principal: Principal, origin: RequestOrigin, id: string, body: LinkBody): Promise<LinkResult> {
    const row = await this.row(principal.tenantId, id);
    if (row.status !== 'pending') throw new VigilError('conflict', `the approval is already ${row.status}`, { reason: row.status === 'expired' ? 'too_late' : 'already_decided' });
    const userId = approverUserId(body.approver.id);
    if (!userId) {
      throw new VigilError('invalid_body', `a link decides as a user of the tenant: approver.id must be user:<user id>, not ${body.approver.id}`, { reason: 'approver_not_user' });
    }
    const user = await this.approvals.activeUser(row.tenant_id, userId);
    if (!user) throw notFound('user', userId);
    const wrong = body.approver.roles?.filter((r) => r !== user.role) ?? [];
    if (wrong.length > 0) {
      throw new VigilError('invalid_body', `user ${user.id} holds the role ${user.role}, not ${wrong.join(', ')}: a link decides with its user's role`, {
        reason: 'approver_roles',
        userRole: user.role,
      });
    }
    const approver: ApprovalActor = { id: `user:${user.id}`, roles: [user.role] };
    const exp = Math.floor(Date.now() / 1000) + body.expiresInSeconds;
    const token = signLink({ approvalId: row.id, tenantId: row.tenant_id, approver, decision: body.decision, exp }, this.config.approvalLinks.signingKey);
    const expiresAt = new Date(exp * 1000).toISOString();
    await this.approvals.audit({
      tenantId: row.tenant_id,
      actor: principal.actor,
      action: 'approval.link_created',
      target: `approval:${row.id}`,
      details: { approver, decision: body.decision ?? null, expiresAt },
      ip: origin.ip,
      userAgent: origin.userAgent,
    });
    return {
      url: `${this.config.api.publicUrl}/api/v1/approvals/links/${token}`,
      token,
      approver,
      decision: body.decision ?? null,
      expiresAt,
    };
  }

  async viewByToken(token: string): Promise<LinkView> {
    const { claims } = await this.claims(token);
    const row = await this.row(claims.tenantId, claims.approvalId);
    const used = await this.approvals.linkUsed(linkUseKey(token));
    return {
      approval: toView(row),
      link: { approver: claims.approver, decision: claims.decision ?? null, expiresAt: new Date(claims.exp * 1000).toISOString(), used },
    };
  }

  /**
   * Decides as the approver a signed link names (the link endpoint, and Slack buttons, which carry
   * the token). A link works once: its use is recorded with a unique key in the same transaction
   * that hands the decision to the run, so of two uses exactly one gets through; a use that fails
   * because Temporal is unreachable is rolled back and the link still works. It decides as its user
   * with the role they hold now; once the user is removed (or for a link naming no user) it is refused.
   */
  async decideByToken(
    token: string,
    decision: ApprovalDecision | undefined,
    via: 'link' | 'slack',
    origin: RequestOrigin = { ip: null, userAgent: null },
    comment?: string,
  ): Promise<DecisionResult> {
    const { claims, approver } = await this.claims(token);
    if (!approver) {
      throw new VigilError('forbidden', `the approver this link names (${claims.approver.id}) is not a user of the tenant, or was removed`, { reason: 'approver_unknown' });
    }
    const chosen = decision ?? claims.decision;
    if (!chosen) throw new VigilError('invalid_body', 'say which decision: {"decision":"approve"} or {"decision":"reject"}');
    if (claims.decision !== undefined && chosen !== claims.decision) {
      throw new VigilError('forbidden', `this link can only ${claims.decision}`, { reason: 'link_decision' });
    }
    const row = await this.row(claims.tenantId, claims.approvalId);
    let refused: ApprovalRefusedError | undefined;
    const use = { tokenHash: linkUseKey(token), tenantId: claims.tenantId, approvalId: claims.approvalId, approver: claims.approver.id, decision: chosen };
    const spent = await this.approvals.useLinkOnce(use, async () => {
      try {
        return await this.send(row, { id: `user:${approver.id}`, roles: [approver.role] }, chosen, comment, via, origin);
      } catch (error) {
        // The run refused: the link is spent all the same (commit); anything else rolls the use back.
        if (error instanceof ApprovalRefusedError) {
          refused = error;
          return undefined;
        }
        throw error;
      }
    });
    if (spent.used) throw new VigilError('link_used', 'this link has already been used', { reason: 'link_used' });
    if (refused) throw refusalError(refused);
    return spent.result!;
  }

  /**
   * A link's claims once its signature and expiry hold and its tenant is active (links and Slack
   * buttons stop with a suspension), with the user it names if that user is still one of the tenant's.
   */
  private async claims(token: string): Promise<{ claims: LinkClaims; approver: ApproverUser | undefined }> {
    const check = verifyLink(token, this.config.approvalLinks.signingKey, Date.now());
    if (!check.ok) {
      if (check.reason === 'expired') throw new VigilError('link_expired', 'this approval link has expired', { reason: 'link_expired' });
      throw new VigilError('invalid_signature', 'this approval link is not valid', { reason: check.reason });
    }
    const standing = await this.approvals.linkStanding(check.claims.tenantId, approverUserId(check.claims.approver.id));
    if (!standing.tenantActive) {
      throw new VigilError('tenant_suspended', 'the tenant of this approval is suspended', { reason: 'tenant_suspended' });
    }
    return { claims: check.claims, approver: standing.approver };
  }

  private async row(tenantId: string, id: string): Promise<ApprovalRow> {
    if (!UUID.test(id)) throw notFound('approval', id);
    const row = await this.approvals.find(tenantId, id);
    if (!row) throw notFound('approval', id);
    return row;
  }

  private async send(
    row: ApprovalRow,
    actor: ApprovalActor,
    decision: ApprovalDecision,
    comment: string | undefined,
    via: 'api' | 'link' | 'slack',
    origin: RequestOrigin,
  ): Promise<DecisionResult> {
    // The row trails the run by an activity at most; a decided row means a decided run.
    if (row.status === 'expired') throw new ApprovalRefusedError('too_late', 'the approval has expired');
    if (row.status !== 'pending') throw new ApprovalRefusedError('already_decided', `the approval is already ${row.status}`);
    let result: DecideApprovalResult;
    try {
      result = await this.orchestrator.decideApproval(row.workflow_id, { approvalId: row.id, decision, comment, actor, via, origin });
    } catch (error) {
      if (error instanceof ApprovalRefusedError) throw error;
      this.logger.warn(`decision on approval ${row.id} not delivered: ${(error as Error).message}`);
      throw new VigilError('unavailable', 'the decision could not be handed to the run; try again', { approvalId: row.id });
    }
    if (result.outcome === 'too_late') throw new ApprovalRefusedError('too_late', `too late: the approval is already ${result.status}`);
    return { approvalId: row.id, outcome: result.outcome, status: result.status, approvals: result.approvals, quorum: result.quorum, message: resultMessage(result) };
  }
}
