import { ApplicationFailure, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { ApprovalVoteRecord, CaseActivities } from '../contracts/case-activities.js';
import { type ApprovalRefusal, type ApprovalStatus, type DecideApprovalInput, type DecideApprovalResult, decideApprovalUpdate } from '../contracts/approval-messages.js';
import type { ApprovalLevel } from '../language/playbook.types.js';

/** One approval the run is waiting on, as the workflow sees it (the approvals row mirrors it). */
export interface ApprovalState {
  approvalId: string;
  tenantId: string;
  caseId: string;
  workflowId: string;
  stepId: string;
  levels: ApprovalLevel[];
  levelIndex: number;
  quorum: number;
  /** The actor who started the run (`playbook` for an alert's run): they may not approve their own run's request. */
  requestedBy: string;
  votes: ApprovalVoteRecord[];
  status: ApprovalStatus;
  /** Resolves once the deciding vote is in the database (the step waits for it before going on). */
  persisted?: Promise<void>;
}

function refuse(type: ApprovalRefusal, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

/**
 * Receives decisions on the run's open approvals through the `decideApproval` Update. The
 * validator refuses, before anything reaches history: an approval that is decided or expired, a
 * caller without a role of the current level, a requester of the run (who started it, or posted an
 * alert it heard), a second vote by the same actor. Actors are users whenever a key or link belongs
 * to one, so one person is one requester and one vote. One reject decides; `quorum` distinct
 * approvals approve. The handler changes the state synchronously (so of two racing calls exactly one
 * decides) and then persists the vote.
 */
export class ApprovalGate {
  private readonly open = new Map<string, ApprovalState>();
  /** Posters of the alerts the run heard (a child run: those its parent had heard when it started it). */
  private readonly posters: Set<string>;

  constructor(posters: Iterable<string> = []) {
    this.posters = new Set(posters);
  }

  /** An alert the run hears was posted by this actor: from now on they may not approve its requests. */
  addPoster(actor: string): void {
    this.posters.add(actor);
  }

  /** The posters so far, for the child runs this run starts. */
  postersSoFar(): string[] {
    return [...this.posters];
  }

  install(): void {
    setHandler(decideApprovalUpdate, (input) => this.decide(input), { validator: (input) => this.validate(input) });
  }

  register(state: ApprovalState): void {
    this.open.set(state.approvalId, state);
  }

  get(approvalId: string): ApprovalState | undefined {
    return this.open.get(approvalId);
  }

  private validate(input: DecideApprovalInput): void {
    const state = this.open.get(input.approvalId);
    if (!state) refuse('unknown_approval', `approval ${input.approvalId} is not open in this run`);
    if (state.status === 'expired') refuse('too_late', 'the approval has expired');
    if (state.status !== 'pending') refuse('already_decided', `the approval is already ${state.status}`);
    const level = state.levels[state.levelIndex]!;
    if (!input.actor.roles.some((role) => level.roles.includes(role))) {
      refuse('forbidden_role', `level ${state.levelIndex + 1} of this approval is for role ${level.roles.join(' or ')}; you hold ${input.actor.roles.join(', ') || 'no role'}`);
    }
    if (input.actor.id === state.requestedBy) refuse('self_approval', 'you started this run, so you may not approve its requests');
    if (this.posters.has(input.actor.id)) refuse('self_approval', 'you posted an alert this run acts on, so you may not approve its requests');
    if (state.votes.some((v) => v.actorId === input.actor.id)) refuse('already_voted', 'you have already voted on this approval');
  }

  private async decide(input: DecideApprovalInput): Promise<DecideApprovalResult> {
    const state = this.open.get(input.approvalId);
    if (!state || state.status !== 'pending') {
      return { outcome: 'too_late', status: state?.status ?? 'expired', approvals: state ? approvalsOf(state) : 0, quorum: state?.quorum ?? 0 };
    }
    // Validators do not run on replay, and a call may have passed validation before another decided.
    try {
      this.validate(input);
    } catch (error) {
      if (error instanceof ApplicationFailure && (error.type === 'already_decided' || error.type === 'too_late')) {
        return { outcome: 'too_late', status: state.status, approvals: approvalsOf(state), quorum: state.quorum };
      }
      throw error;
    }
    const vote: ApprovalVoteRecord = {
      actorId: input.actor.id,
      roles: input.actor.roles,
      decision: input.decision,
      comment: input.comment,
      via: input.via ?? 'api',
      level: state.levelIndex + 1,
      at: Date.now(),
    };
    state.votes.push(vote);
    const approvals = approvalsOf(state);
    if (input.decision === 'reject') state.status = 'rejected';
    else if (approvals >= state.quorum) state.status = 'approved';
    const outcome = state.status === 'pending' ? 'counted' : state.status === 'approved' ? 'approved' : 'rejected';
    const { recordApprovalVote } = proxyLocalActivities<CaseActivities>({
      startToCloseTimeout: '10s',
      // The vote is already counted in the workflow; the database must catch up, however long that takes.
      retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '10s' },
    });
    const persisted = recordApprovalVote({
      tenantId: state.tenantId,
      caseId: state.caseId,
      workflowId: state.workflowId,
      stepId: state.stepId,
      approvalId: state.approvalId,
      vote,
      status: state.status,
      approvals,
      quorum: state.quorum,
      origin: input.origin,
    });
    if (state.status !== 'pending') state.persisted = persisted;
    await persisted;
    return { outcome, status: state.status, approvals, quorum: state.quorum };
  }
}

function approvalsOf(state: ApprovalState): number {
  return state.votes.filter((v) => v.decision === 'approve').length;
}
