import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type AppConfig, APP_CONFIG } from '../config/config.schema.js';
import { VigilError } from '../common/errors/vigil-error.js';
import { queryRows } from '../persistence/query-rows.js';
import { OutboxRelay } from '../outbox/outbox-relay.service.js';
import { PlaybookCatalog } from '../playbooks/playbook-catalog.service.js';
import type { Principal } from '../tenants/principal.js';
import { TenantSettingsService } from '../tenants/tenant-settings.service.js';
import { caseWorkflowId } from '../../workflows/case-messages.js';
import type { AlertSource, CanonicalAlert } from './canonical-alert.js';
import { correlationSettings, fingerprintOf, type CorrelationSettings } from './correlation.js';
import type { NormalizeFailure, NormalizedItem, NormalizeResult } from './normalizers/normalizer.js';

export interface IngestedAlert {
  id: string;
  caseId: string;
  duplicate: boolean;
}

export interface IngestResponse {
  source: AlertSource;
  alerts: IngestedAlert[];
  errors?: NormalizeFailure[];
}

/** Outbox payload of one new alert: everything the relay needs to reach the case workflow without another query. */
export interface AlertOutboxPayload {
  alertId: string;
  severityId: number;
  playbookId: string;
  playbookHash: string;
  finding: CanonicalAlert;
}

interface Planned {
  item: NormalizedItem;
  fingerprint: ReturnType<typeof fingerprintOf>;
}

/** A 64-bit advisory lock key from text, as a decimal string Postgres reads as bigint. */
function lockKey(text: string): bigint {
  return createHash('sha256').update(text).digest().readBigInt64BE(0);
}

/**
 * Turns normalised alerts into rows: alert (idempotent on tenant + source + uid), case (correlated
 * by fingerprint within the tenant's window) and an outbox row, all in one transaction before the
 * caller answers 2xx. The relay is woken after commit, so the outbox adds no fixed delay.
 */
@Injectable()
export class AlertIngestService {
  private readonly logger = new Logger('AlertIngestService');

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PlaybookCatalog) private readonly playbooks: PlaybookCatalog,
    @Inject(TenantSettingsService) private readonly tenants: TenantSettingsService,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
  ) {}

  async store(principal: Principal, source: AlertSource, result: NormalizeResult): Promise<IngestResponse> {
    if (result.alerts.length === 0) {
      throw new VigilError(result.failures[0]?.code === 'unrecognized_payload' ? 'unrecognized_payload' : 'invalid_alert', `no valid ${source} alert in the body`, {
        errors: result.failures,
      });
    }
    if (result.alerts.length > this.config.api.maxBatchAlerts) {
      throw new VigilError('too_many_alerts', `a delivery may carry at most ${this.config.api.maxBatchAlerts} alerts`, {
        count: result.alerts.length,
        limit: this.config.api.maxBatchAlerts,
      });
    }
    const settings = correlationSettings(await this.tenants.settings(principal.tenantId));
    const planned: Planned[] = result.alerts.map((item) => ({ item, fingerprint: fingerprintOf(item.alert, source, settings) }));
    const out = await this.db.transaction((m) => this.write(m, principal, source, planned, settings));
    if (out.some((a) => !a.duplicate)) this.relay.wake();
    const response: IngestResponse = { source, alerts: out };
    if (result.failures.length > 0) response.errors = result.failures;
    return response;
  }

  private async write(m: EntityManager, principal: Principal, source: AlertSource, planned: Planned[], settings: CorrelationSettings): Promise<IngestedAlert[]> {
    const tenantId = principal.tenantId;
    // Lock every uid and fingerprint of the batch, in one sorted order so concurrent batches never deadlock:
    // two deliveries of the same new fingerprint then make one case, not two.
    const keys = new Set<bigint>();
    for (const p of planned) {
      keys.add(lockKey(`uid:${tenantId}:${source}:${p.item.alert.finding_info.uid}`));
      keys.add(lockKey(`fp:${tenantId}:${p.fingerprint.value}`));
    }
    const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String);
    await m.query('SELECT count(pg_advisory_xact_lock(k)) FROM unnest($1::bigint[]) AS k', [sorted]);

    const results: IngestedAlert[] = [];
    for (const { item, fingerprint } of planned) {
      const alert = item.alert;
      const uid = alert.finding_info.uid;
      const existing = await queryRows<{ id: string; case_id: string }>(
        m,
        `UPDATE alerts SET count = count + 1, last_seen_at = now(), finding = $4, raw = $5, severity_id = $6, title = $7
         WHERE tenant_id = $1 AND source = $2 AND source_uid = $3 RETURNING id, case_id`,
        [tenantId, source, uid, JSON.stringify(alert), JSON.stringify(item.raw), alert.severity_id, alert.finding_info.title],
      );
      if (existing[0]) {
        await m.query(`UPDATE cases SET severity_id = GREATEST(severity_id, $3), last_alert_at = now(), updated_at = now() WHERE tenant_id = $1 AND id = $2`, [
          tenantId,
          existing[0].case_id,
          alert.severity_id === 99 ? 0 : alert.severity_id,
        ]);
        results.push({ id: existing[0].id, caseId: existing[0].case_id, duplicate: true });
        continue;
      }
      const severity = alert.severity_id === 99 ? 0 : alert.severity_id;
      const open = await queryRows<{ id: string; playbook_id: string | null; playbook_hash: string | null }>(
        m,
        `UPDATE cases SET alert_count = alert_count + 1, last_alert_at = now(), updated_at = now(), severity_id = GREATEST(severity_id, $3)
         WHERE id = (SELECT id FROM cases WHERE tenant_id = $1 AND fingerprint = $2
                       AND status NOT IN ('resolved', 'closed', 'false_positive')
                       AND last_alert_at >= now() - make_interval(mins => $4)
                     ORDER BY last_alert_at DESC LIMIT 1)
         RETURNING id, playbook_id, playbook_hash`,
        [tenantId, fingerprint.value, severity, settings.windowMinutes],
      );
      let caseRow = open[0];
      const joinedExisting = caseRow !== undefined;
      if (!caseRow) {
        const chosen = this.playbooks.select(alert, source, principal.tenantSlug);
        const id = randomUUID();
        await m.query(
          `INSERT INTO cases (id, tenant_id, title, status, severity_id, fingerprint, source, alert_count, playbook_id, playbook_version, playbook_hash, run_status, workflow_id, last_alert_at)
           VALUES ($1, $2, $3, 'new', $4, $5, $6, 1, $7, $8, $9, $10, $11, now())`,
          [
            id,
            tenantId,
            alert.finding_info.title,
            severity,
            fingerprint.value,
            source,
            chosen?.playbook.id ?? null,
            chosen?.playbook.version ?? null,
            chosen?.hash ?? null,
            chosen ? 'pending' : 'none',
            caseWorkflowId(id),
          ],
        );
        caseRow = { id, playbook_id: chosen?.playbook.id ?? null, playbook_hash: chosen?.hash ?? null };
      }
      const joinReason = {
        rule: joinedExisting ? 'fingerprint' : 'new_case',
        fingerprint: fingerprint.value,
        fields: Object.keys(fingerprint.parts),
        values: fingerprint.parts,
        windowMinutes: settings.windowMinutes,
      };
      const eventTime = new Date(Number.isFinite(alert.time) ? alert.time : Date.now());
      const alertRows = await queryRows<{ id: string }>(
        m,
        `INSERT INTO alerts (tenant_id, case_id, source, source_uid, fingerprint, severity_id, title, event_time, finding, raw, first_seen_at, last_seen_at, join_reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now(), now(), $11) RETURNING id`,
        [tenantId, caseRow.id, source, uid, fingerprint.value, alert.severity_id, alert.finding_info.title, eventTime, JSON.stringify(alert), JSON.stringify(item.raw), JSON.stringify(joinReason)],
      );
      const alertId = alertRows[0]!.id;
      if (caseRow.playbook_id && caseRow.playbook_hash) {
        const payload: AlertOutboxPayload = { alertId, severityId: severity, playbookId: caseRow.playbook_id, playbookHash: caseRow.playbook_hash, finding: alert };
        await m.query(`INSERT INTO outbox (tenant_id, case_id, kind, payload) VALUES ($1, $2, 'alert_added', $3)`, [tenantId, caseRow.id, JSON.stringify(payload)]);
      } else if (!joinedExisting) {
        this.logger.warn(`no playbook matches alert ${alertId} of tenant ${principal.tenantSlug}; case ${caseRow.id} has no run`);
      }
      results.push({ id: alertId, caseId: caseRow.id, duplicate: false });
    }
    return results;
  }
}
