import { Inject, Injectable } from '@nestjs/common';
import { notFound, VigilError } from '../common/errors/vigil-error.js';
import { alertPath, casePath } from './alert-links.js';
import { type AlertDetailRow, AlertQueriesRepository, type AlertSummaryRow, nextAlertCursor } from './alert-queries.repository.js';
import { type AlertDetail, type AlertSummary, alertSeverityWord, type ListAlertsQuery } from './alert-read.schemas.js';

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function summaryOf(r: AlertSummaryRow): AlertSummary {
  const uid = text(r.analytic?.uid);
  const name = text(r.analytic?.name);
  return {
    id: r.id,
    source: r.source,
    sourceUid: r.source_uid,
    title: r.title,
    severity: alertSeverityWord(Number(r.severity_id)),
    severityId: Number(r.severity_id),
    eventTime: new Date(r.event_time).toISOString(),
    firstSeenAt: new Date(r.first_seen_at).toISOString(),
    lastSeenAt: new Date(r.last_seen_at).toISOString(),
    count: Number(r.count),
    caseId: r.case_id,
    rule: uid || name ? { uid, name } : null,
    fingerprint: r.fingerprint,
    links: { self: alertPath(r.id), case: casePath(r.case_id) },
  };
}

function detailOf(r: AlertDetailRow): AlertDetail {
  return { ...summaryOf(r), finding: r.finding, observables: r.observables ?? [], raw: r.raw, joinReason: r.join_reason, changes: r.changes ?? [] };
}

/** Reads alerts for the API; another tenant's alert is simply not found. */
@Injectable()
export class AlertReadService {
  constructor(@Inject(AlertQueriesRepository) private readonly alerts: AlertQueriesRepository) {}

  async list(tenantId: string, query: ListAlertsQuery): Promise<{ items: AlertSummary[]; nextCursor: string | null }> {
    let rows: Awaited<ReturnType<AlertQueriesRepository['list']>>;
    try {
      rows = await this.alerts.list(tenantId, query);
    } catch (error) {
      // Only a cursor carries a value PostgreSQL parses itself (its timestamp); a malformed one is the caller's error.
      if (query.cursor && String((error as { code?: string }).code ?? '').startsWith('22')) {
        throw new VigilError('invalid_cursor', 'the cursor is not one this endpoint issued');
      }
      throw error;
    }
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return { items: page.map(summaryOf), nextCursor: rows.length > query.limit && last ? nextAlertCursor(last) : null };
  }

  async get(tenantId: string, id: string): Promise<AlertDetail> {
    const row = await this.alerts.detail(tenantId, id);
    if (!row) throw notFound('alert', id);
    return detailOf(row);
  }
}
