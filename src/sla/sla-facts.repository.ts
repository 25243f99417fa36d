import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Queryable, queryRows } from '../persistence/query-rows.js';
import type { CaseFacts } from './clocks.js';

/** Statuses in which a case's work is finished (the case lifecycle's, repeated here as SQL-free data). */
const FINISHED = new Set(['resolved', 'closed', 'false_positive']);
/** Timeline kinds that count as an analyst's first action when an analyst (not a playbook or Vigil) wrote them. */
const ANALYST_KINDS = new Set(['assigned', 'comment_added', 'status_changed', 'approval_decided', 'approval_vote']);
const FACT_KINDS = [...ANALYST_KINDS, 'severity_changed'];

/** A case as its clocks see it, with the plain facts `planClocks` reads. */
export interface SlaCaseFacts {
  tenantId: string;
  caseId: string;
  title: string;
  status: string;
  severityId: number;
  mergedInto: string | null;
  /** When the case last changed (the merge instant of an absorbed case). */
  updatedAt: Date;
  facts: CaseFacts;
}

const isAnalyst = (actor: string): boolean => actor.startsWith('user:') || actor.startsWith('api-key:');
const minDate = (a: Date | null, b: Date | null): Date | null => (a && b ? (a.getTime() <= b.getTime() ? a : b) : (a ?? b));

/**
 * Reads what a case's SLA clocks depend on from the case, its alerts (those moved in by a merge
 * included), its timeline and its containment ledger. Read in one snapshot (REPEATABLE READ), so a
 * fact written meanwhile is either wholly seen or left to the signal it sends.
 */
@Injectable()
export class SlaFactsRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async read(tenantId: string, caseId: string): Promise<SlaCaseFacts | null> {
    const runner = this.db.createQueryRunner();
    try {
      await runner.startTransaction('REPEATABLE READ');
      const result = await this.readIn(runner, tenantId, caseId);
      await runner.commitTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  }

  private async readIn(q: Queryable, tenantId: string, caseId: string): Promise<SlaCaseFacts | null> {
    const cases = await queryRows<{ title: string; status: string; severity_id: number; merged_into: string | null; created_at: Date; updated_at: Date }>(
      q,
      `SELECT title, status, severity_id, merged_into, created_at, updated_at FROM cases WHERE tenant_id = $1 AND id = $2`,
      [tenantId, caseId],
    );
    const row = cases[0];
    if (!row) return null;
    const alerts = await queryRows<{ event_time: Date; first_seen_at: Date }>(q, `SELECT event_time, first_seen_at FROM alerts WHERE tenant_id = $1 AND case_id = $2`, [
      tenantId,
      caseId,
    ]);
    const events = await queryRows<{ at: Date; actor: string; kind: string; data: Record<string, unknown> }>(
      q,
      `SELECT at, actor, kind, data FROM case_events WHERE tenant_id = $1 AND case_id = $2 AND kind = ANY($3::text[]) ORDER BY at, id`,
      [tenantId, caseId, FACT_KINDS],
    );
    const contained = await queryRows<{ at: Date | null }>(
      q,
      `SELECT min(updated_at) AS at FROM containment_actions WHERE tenant_id = $1 AND case_id = $2 AND status = 'succeeded' AND reverts_id IS NULL`,
      [tenantId, caseId],
    );
    const severityChanges: Array<{ at: Date; severityId: number }> = [{ at: row.created_at, severityId: Number(row.severity_id) }];
    const statusChanges: Array<{ at: Date; status: string }> = [{ at: row.created_at, status: 'new' }];
    let firstAnalystActionAt: Date | null = null;
    let containedAt: Date | null = contained[0]?.at ?? null;
    let finishedAt: Date | null = null;
    for (const e of events) {
      if (e.kind === 'severity_changed') {
        // Both ends count: a severity lowered later does not loosen the promise the higher one made.
        for (const s of [e.data['from'], e.data['to']]) if (typeof s === 'number') severityChanges.push({ at: e.at, severityId: s });
      }
      if (e.kind === 'status_changed' && typeof e.data['to'] === 'string') {
        const to = e.data['to'];
        statusChanges.push({ at: e.at, status: to });
        if (to === 'contained') containedAt = minDate(containedAt, e.at);
        finishedAt = FINISHED.has(to) ? (finishedAt ?? e.at) : null;
      }
      if (ANALYST_KINDS.has(e.kind) && isAnalyst(e.actor)) firstAnalystActionAt ??= e.at;
    }
    // A case finished without a line (written by hand, or before Vigil wrote one) counts as finished when it last changed.
    const resolvedAt = FINISHED.has(row.status) ? (finishedAt ?? row.updated_at) : null;
    return {
      tenantId,
      caseId,
      title: row.title,
      status: row.status,
      severityId: Number(row.severity_id),
      mergedInto: row.merged_into,
      updatedAt: row.updated_at,
      facts: {
        alerts: alerts.map((a) => ({ detectedAt: a.event_time, receivedAt: a.first_seen_at })),
        severityChanges,
        statusChanges,
        firstAnalystActionAt,
        containedAt,
        resolvedAt,
      },
    };
  }
}
