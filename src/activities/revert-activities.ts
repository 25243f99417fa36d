import type { ContainmentLedgerRepository } from '../integration-runtime/index.js';
import { isContainingAction } from '../integration-runtime/index.js';
import { findAction } from '../../integrations/index.js';
import type { TimelineRepository } from '../timeline/index.js';
import type { ActionRunner } from './action-runner.js';
import type {
  ListRevertibleInput,
  RecordRevertEventInput,
  RevertActivities,
  RevertContainmentInput,
  RevertContainmentResult,
  RevertibleContainment,
} from '../../workflows/contracts/revert-activities.js';

export interface RevertActivityDeps {
  timeline: TimelineRepository;
  ledger: ContainmentLedgerRepository;
  actions: ActionRunner;
}

function containing(action: string): boolean {
  const definition = findAction(action);
  return definition !== undefined && isContainingAction(definition);
}

/**
 * Activities of the revert workflows: read what a case contained from the containment ledger, run
 * each inverse (through the action runner, so it is idempotent, rate limited and recorded), and
 * write the timeline lines that say so.
 */
export function createRevertActivities(deps: RevertActivityDeps): RevertActivities {
  return {
    async listRevertibleContainments(input: ListRevertibleInput): Promise<RevertibleContainment[]> {
      const rows = await deps.ledger.revertible(input.tenantId, input.caseId, containing);
      return rows.map((r) => ({ containmentId: r.id, action: r.action, inverse: r.inverse!, target: r.target, reverted: r.revertedAt !== null, revertReason: r.revertReason }));
    },

    async revertContainment(input: RevertContainmentInput): Promise<RevertContainmentResult> {
      const row = await deps.ledger.get(input.tenantId, input.containmentId);
      if (!row || row.status !== 'succeeded' || !row.inverse || row.revertsId !== null) {
        return { outcome: 'not_revertible', action: row?.action ?? null, inverse: row?.inverse ?? null, target: row?.target ?? null };
      }
      const described = { action: row.action, inverse: row.inverse, target: row.target };
      if (row.revertedAt) return { outcome: 'already_reverted', ...described };
      const result = await deps.actions.run({
        tenantId: input.tenantId,
        action: row.inverse,
        params: row.input,
        preRendered: true,
        scope: {},
        idempotencyKey: `${input.workflowId}:${row.idempotencyKey}`,
        caseId: row.caseId ?? undefined,
        workflowId: input.workflowId,
        stepId: row.stepId ?? undefined,
        revertsId: row.id,
      });
      const on = row.target ? ` on ${row.target}` : '';
      const message =
        input.reason === 'expired'
          ? `containment expired${input.expiresIn ? ` after ${input.expiresIn}` : ''}: reverted ${row.action}${on} (ran ${row.inverse})`
          : `reverted ${row.action}${on} (ran ${row.inverse})`;
      const reverted = await deps.ledger.markReverted({
        tenantId: input.tenantId,
        id: row.id,
        reason: input.reason,
        revertedBy: input.requestedBy,
        line: row.caseId
          ? {
              tenantId: input.tenantId,
              caseId: row.caseId,
              actor: input.requestedBy,
              kind: 'containment_reverted',
              stepId: row.stepId,
              message,
              data: {
                containmentId: row.id,
                action: row.action,
                inverse: row.inverse,
                target: row.target,
                reason: input.reason,
                output: result.output,
                revertWorkflowId: input.workflowId,
              },
              dedupKey: `${input.workflowId}:${row.id}:reverted`,
            }
          : undefined,
      });
      return { outcome: reverted ? 'reverted' : 'already_reverted', ...described };
    },

    async recordRevertEvent(input: RecordRevertEventInput): Promise<void> {
      await deps.timeline.append({
        tenantId: input.tenantId,
        caseId: input.caseId,
        actor: input.actor,
        kind: input.kind,
        message: input.message,
        data: input.data ?? {},
        dedupKey: `${input.workflowId}:${input.name}`,
      });
    },
  };
}
