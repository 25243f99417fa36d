import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditRepository } from '../audit/index.js';
import { auditBy } from '../audit/index.js';
import type { RequestOrigin } from '../common/http/request-origin.js';
import { VigilError } from '../common/errors/vigil-error.js';
import { Orchestrator, RevertAlreadyRunningError } from '../temporal/index.js';
import type { Principal } from '../common/auth/principal.js';
import { appendCaseEvent } from './case-events.js';
import { canTransition, checkTransition, FINISHED_STATUSES, isCaseResolution, MERGED_RESOLUTION } from '../common/case-lifecycle.js';
import { type CaseRow, caseSummaryOf, lockCase } from './case-rows.js';
import { CasesRepository, type CaseTransaction } from './cases.repository.js';
import { type CaseSummary, type PatchCaseBody, severityWord } from './case.schemas.js';

export interface Change<T> {
  from: T;
  to: T;
}

export interface CaseChanges {
  status?: Change<string>;
  resolution?: Change<string | null>;
  severityId?: Change<number>;
  assignee?: Change<string | null>;
  tags?: { from: string[]; to: string[]; added: string[]; removed: string[] };
}

export interface MergeResult {
  merged: CaseSummary;
  into: CaseSummary;
  alertsMoved: number;
  /** False when the absorbed case had no running workflow to tell (or Temporal could not be reached). */
  workflowNotified: boolean;
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}

/**
 * Analyst changes to cases: status (through the lifecycle table), severity, assignee, tags,
 * resolution; merges; revert requests. Each is one transaction holding the case row lock, writes its
 * timeline lines and exactly one audit row, and changes nothing when refused.
 */
@Injectable()
export class CaseUpdatesService {
  private readonly logger = new Logger('CaseUpdatesService');

  constructor(
    @Inject(CasesRepository) private readonly cases: CasesRepository,
    @Inject(AuditRepository) private readonly audit: AuditRepository,
    @Inject(Orchestrator) private readonly orchestrator: Orchestrator,
  ) {}

  async patch(principal: Principal, origin: RequestOrigin, caseId: string, body: PatchCaseBody): Promise<CaseSummary> {
    const summary = await this.cases.transaction(async (m) => {
      const row = await lockCase(this.cases, m, principal.tenantId, caseId, { refuseMerged: true });
      const changes = await this.planChanges(m, principal.tenantId, row, body);
      if (Object.keys(changes).length === 0) return caseSummaryOf(row);
      const next = {
        status: changes.status?.to ?? row.status,
        resolution: changes.resolution ? changes.resolution.to : row.resolution,
        severityId: changes.severityId?.to ?? row.severity_id,
        assignee: changes.assignee ? changes.assignee.to : row.assignee,
        tags: changes.tags?.to ?? row.tags,
      };
      const updated = await this.cases.update(m, principal.tenantId, caseId, next);
      await this.writeTimeline(m, principal, caseId, changes);
      await this.audit.record(m, auditBy(principal, origin, 'case.updated', `case:${caseId}`, { changes }));
      return caseSummaryOf(updated);
    });
    if (FINISHED_STATUSES.has(summary.status) && summary.runStatus !== 'none') {
      // The case workflow stops waiting for alerts; best effort, since it also ends on its idle timeout.
      await this.orchestrator.signalCaseClosed(caseId).catch((error: unknown) => {
        this.logger.warn(`case ${caseId} finished, but its workflow could not be told: ${(error as Error).message}`);
      });
    }
    return summary;
  }

  /** Works out what a PATCH changes, refusing (before any write) what the lifecycle or the alerts forbid. */
  private async planChanges(m: CaseTransaction, tenantId: string, row: CaseRow, body: PatchCaseBody): Promise<CaseChanges> {
    const changes: CaseChanges = {};
    if (body.status !== undefined && body.status !== row.status) {
      const check = checkTransition({ from: row.status, to: body.status, resolution: body.resolution ?? null, currentResolution: row.resolution });
      if (!check.ok) {
        if (check.code === 'invalid_transition') {
          throw new VigilError('invalid_transition', check.message, { from: row.status, to: body.status, allowed: check.allowed });
        }
        throw new VigilError(check.code, check.message, { from: row.status, to: body.status });
      }
      changes.status = { from: row.status, to: body.status };
      if (check.resolution !== row.resolution) changes.resolution = { from: row.resolution, to: check.resolution };
    } else if (body.resolution !== undefined && body.resolution !== row.resolution) {
      // A resolution alone may be set or corrected on a resolved or closed case.
      if (row.status !== 'resolved' && row.status !== 'closed') {
        throw new VigilError('invalid_resolution', `a resolution is set when resolving or closing a case, not in status ${row.status}`, { status: row.status });
      }
      changes.resolution = { from: row.resolution, to: body.resolution };
    }
    if (body.severity !== undefined && body.severity !== Number(row.severity_id)) {
      const minimum = await this.cases.alertSeverityFloor(m, tenantId, row.id);
      if (body.severity < minimum) {
        throw new VigilError(
          'severity_below_alerts',
          `severity ${body.severity} (${severityWord(body.severity)}) is below the highest alert severity ${minimum} (${severityWord(minimum)})`,
          {
            severityId: body.severity,
            minimum,
          },
        );
      }
      changes.severityId = { from: Number(row.severity_id), to: body.severity };
    }
    if (body.assignee !== undefined && body.assignee !== row.assignee) changes.assignee = { from: row.assignee, to: body.assignee };
    if (body.tags !== undefined) {
      const to = unique(body.tags);
      const from = row.tags ?? [];
      if (to.length !== from.length || to.some((t, i) => t !== from[i])) {
        changes.tags = { from, to, added: to.filter((t) => !from.includes(t)), removed: from.filter((t) => !to.includes(t)) };
      }
    }
    return changes;
  }

  private async writeTimeline(m: CaseTransaction, principal: Principal, caseId: string, changes: CaseChanges): Promise<void> {
    const base = { tenantId: principal.tenantId, caseId, actor: principal.actor };
    if (changes.status) {
      const resolution = changes.resolution?.to;
      await appendCaseEvent(m, {
        ...base,
        kind: 'status_changed',
        message: `status ${changes.status.from} → ${changes.status.to}${resolution ? ` (${resolution})` : ''}`,
        data: { from: changes.status.from, to: changes.status.to, ...(changes.resolution ? { resolution: changes.resolution.to } : {}) },
      });
    } else if (changes.resolution) {
      await appendCaseEvent(m, {
        ...base,
        kind: 'resolution_changed',
        message: `resolution ${changes.resolution.from ?? 'none'} → ${changes.resolution.to}`,
        data: { ...changes.resolution },
      });
    }
    if (changes.severityId) {
      const { from, to } = changes.severityId;
      await appendCaseEvent(m, { ...base, kind: 'severity_changed', message: `severity ${severityWord(from)} → ${severityWord(to)}`, data: { from, to } });
    }
    if (changes.assignee) {
      const to = changes.assignee.to;
      await appendCaseEvent(m, { ...base, kind: 'assigned', message: to ? `assigned to ${to}` : 'unassigned', data: { ...changes.assignee } });
    }
    if (changes.tags) {
      const { added, removed } = changes.tags;
      const parts = [added.length ? `added ${added.join(', ')}` : '', removed.length ? `removed ${removed.join(', ')}` : ''].filter(Boolean);
      await appendCaseEvent(m, { ...base, kind: 'tags_changed', message: `tags: ${parts.join('; ') || 'reordered'}`, data: { ...changes.tags } });
    }
  }

  /**
   * Merges case `caseId` into case `intoId`: alerts, timeline, comments and tasks move to the
   * surviving case; the absorbed case is closed with resolution `merged` and `mergedInto` set; its
   * workflow is then told (after commit) to stop waiting for alerts.
   */
  async merge(principal: Principal, origin: RequestOrigin, rawCaseId: string, rawIntoId: string): Promise<MergeResult> {
    const caseId = rawCaseId.toLowerCase();
    const intoId = rawIntoId.toLowerCase();
    if (caseId === intoId) throw new VigilError('invalid_body', 'a case cannot be merged into itself', { into: intoId });
    const tenantId = principal.tenantId;
    const result = await this.cases.transaction(async (m) => {
      // Both rows locked in id order, so two merges of the same pair in opposite directions cannot deadlock.
      const [first, second] = [caseId, intoId].sort();
      const lockedFirst = await lockCase(this.cases, m, tenantId, first!);
      const lockedSecond = await lockCase(this.cases, m, tenantId, second!);
      const absorbed = lockedFirst.id === caseId ? lockedFirst : lockedSecond;
      const survivor = lockedFirst.id === caseId ? lockedSecond : lockedFirst;
      for (const c of [absorbed, survivor]) {
        if (c.merged_into) throw new VigilError('case_merged', `case ${c.id} was already merged into case ${c.merged_into}`, { caseId: c.id, mergedInto: c.merged_into });
      }
      if (FINISHED_STATUSES.has(survivor.status)) {
        throw new VigilError('conflict', `case ${survivor.id} is ${survivor.status}: merge into an open case`, { into: survivor.id, status: survivor.status });
      }
      if (!canTransition(absorbed.status, 'closed')) {
        throw new VigilError('invalid_transition', `a case in status ${absorbed.status} cannot be closed by a merge`, { from: absorbed.status, to: 'closed', allowed: [] });
      }
      const moved = await this.cases.moveContents(m, tenantId, absorbed.id, survivor.id);
      const into = await this.cases.absorb(m, tenantId, survivor.id, {
        alertsMoved: moved.length,
        severityId: absorbed.severity_id,
        lastAlertAt: absorbed.last_alert_at,
        tags: absorbed.tags ?? [],
      });
      const merged = await this.cases.closeMerged(m, tenantId, absorbed.id, MERGED_RESOLUTION, survivor.id);
      const actor = principal.actor;
      await appendCaseEvent(m, {
        tenantId,
        caseId: survivor.id,
        actor,
        kind: 'case_merged',
        message: `case "${absorbed.title}" (${absorbed.id}) merged into this case with ${moved.length} alert(s)`,
        data: { mergedCaseId: absorbed.id, alertsMoved: moved.length, alertIds: moved },
      });
      await appendCaseEvent(m, {
        tenantId,
        caseId: absorbed.id,
        actor,
        kind: 'status_changed',
        message: `status ${absorbed.status} → closed (merged)`,
        data: { from: absorbed.status, to: 'closed', resolution: MERGED_RESOLUTION },
      });
      await appendCaseEvent(m, {
        tenantId,
        caseId: absorbed.id,
        actor,
        kind: 'merged_into',
        message: `merged into case "${survivor.title}" (${survivor.id}); its alerts, timeline, comments and tasks moved there`,
        data: { into: survivor.id, alertsMoved: moved.length },
      });
      await this.audit.record(
        m,
        auditBy(principal, origin, 'case.merged', `case:${absorbed.id}`, {
          into: survivor.id,
          alertsMoved: moved.length,
          previousStatus: absorbed.status,
          previousResolution: isCaseResolution(absorbed.resolution) ? absorbed.resolution : null,
        }),
      );
      return { merged: caseSummaryOf(merged), into: caseSummaryOf(into), alertsMoved: moved.length, hadRun: absorbed.run_status !== 'none' };
    });
    let workflowNotified = false;
    if (result.hadRun) {
      try {
        workflowNotified = await this.orchestrator.signalCaseMerged(caseId, result.into.id);
      } catch (error) {
        // The merge stands; the absorbed workflow then ends on its idle timeout instead.
        this.logger.warn(`case ${caseId} merged into ${result.into.id}, but its workflow could not be told: ${(error as Error).message}`);
      }
    }
    return { merged: result.merged, into: result.into, alertsMoved: result.alertsMoved, workflowNotified };
  }

  /** Starts the revert workflow of a case (undoes its containment); the timeline line and audit row commit only if Temporal accepted it. */
  async revert(principal: Principal, origin: RequestOrigin, caseId: string, reason: string | undefined): Promise<{ revertWorkflowId: string }> {
    return this.cases.transaction(async (m) => {
      await lockCase(this.cases, m, principal.tenantId, caseId);
      let workflowId: string;
      try {
        workflowId = (await this.orchestrator.requestRevert(principal.tenantId, caseId, principal.actor)).workflowId;
      } catch (error) {
        if (error instanceof RevertAlreadyRunningError) {
          throw new VigilError('conflict', `a revert of case ${caseId} is already running`, { revertWorkflowId: error.workflowId });
        }
        throw new VigilError('unavailable', `could not start the revert: ${(error as Error).message}`);
      }
      await appendCaseEvent(m, {
        tenantId: principal.tenantId,
        caseId,
        actor: principal.actor,
        kind: 'revert_requested',
        message: `revert of containment requested${reason ? `: ${reason}` : ''}`,
        data: { revertWorkflowId: workflowId, ...(reason ? { reason } : {}) },
      });
      await this.audit.record(m, auditBy(principal, origin, 'case.revert_requested', `case:${caseId}`, { revertWorkflowId: workflowId, ...(reason ? { reason } : {}) }));
      return { revertWorkflowId: workflowId };
    });
  }
}
