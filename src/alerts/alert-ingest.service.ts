import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { type AppConfig, APP_CONFIG } from '../config/config.schema.js';
import { VigilError } from '../common/errors/vigil-error.js';
import { OutboxRelay } from '../outbox/index.js';
import { PlaybookLibraryService } from '../playbooks/index.js';
import type { Principal } from '../common/auth/principal.js';
import { TenantSettingsService } from '../tenants/index.js';
import { caseWorkflowId } from '../../workflows/contracts/case-messages.js';
import type { AlertSource } from '../common/canonical-alert.js';
import { correlationSettings, fingerprintOf, type CorrelationSettings } from './correlation.js';
import { AlertsRepository, type AlertWrite, type AlertWritten, type IngestTransaction } from './alerts.repository.js';
import { changedFields } from './finding-diff.js';
import type { NormalizeFailure, NormalizedItem, NormalizeResult } from './normalizers/normalizer.js';

export interface IngestedAlert {
  /** Position of the item in the delivery (the same numbering as `errors[].index`). */
  index: number;
  id: string;
  caseId: string;
  /** The source had sent this detection before (same source uid): the alert was updated, not added. */
  duplicate: boolean;
  /** For a duplicate: the finding fields the re-send changed (dotted paths), empty when none. */
  changed?: string[];
}

export interface IngestResponse {
  source: AlertSource;
  alerts: IngestedAlert[];
  errors?: NormalizeFailure[];
}

interface Planned {
  item: NormalizedItem;
  fingerprint: ReturnType<typeof fingerprintOf>;
}

/** A transaction that lost a deadlock (only possible between batches of several alerts) is tried again. */
const ATTEMPTS = 3;

/**
 * Turns normalised alerts into rows: alert (idempotent on tenant + source + uid), case (correlated
 * by fingerprint within the tenant's window) and an outbox row, all in one transaction before the
 * caller answers 2xx; the SQL is the repository's. The relay is woken after commit, so the outbox adds
 * no fixed delay.
 */
@Injectable()
export class AlertIngestService {
  private readonly logger = new Logger('AlertIngestService');

  constructor(
    @Inject(AlertsRepository) private readonly alerts: AlertsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PlaybookLibraryService) private readonly playbooks: PlaybookLibraryService,
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
    // Vigil's tenant id goes into the finding itself (OCSF metadata.tenant_uid).
    const planned: Planned[] = result.alerts.map((normalized) => {
      const item = { ...normalized, alert: { ...normalized.alert, metadata: { ...normalized.alert.metadata, tenant_uid: principal.tenantId } } };
      return { item, fingerprint: fingerprintOf(item.alert, source, settings) };
    });
    let out: { alerts: IngestedAlert[]; queued: boolean } | undefined;
    for (let attempt = 1; out === undefined; attempt++) {
      try {
        out = await this.write(principal, source, planned, settings);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (attempt >= ATTEMPTS || (code !== '40P01' && code !== '40001')) throw error;
        this.logger.warn(`ingest transaction of tenant ${principal.tenantSlug} lost a ${code === '40P01' ? 'deadlock' : 'serialization conflict'}; trying again`);
      }
    }
    if (out.queued) this.relay.wake();
    const response: IngestResponse = { source, alerts: out.alerts };
    if (result.failures.length > 0) response.errors = result.failures;
    return response;
  }

  private write(principal: Principal, source: AlertSource, planned: Planned[], settings: CorrelationSettings): Promise<{ alerts: IngestedAlert[]; queued: boolean }> {
    const tenantId = principal.tenantId;
    return this.alerts.transaction(async (tx) => {
      // Every uid and fingerprint of the batch, locked at once: two deliveries of the same new fingerprint
      // then make one case, not two.
      await tx.lock(planned.flatMap((p) => [`uid:${tenantId}:${source}:${p.item.alert.finding_info.uid}`, `fp:${tenantId}:${p.fingerprint.value}`]));
      const alerts: IngestedAlert[] = [];
      let queued = false;
      for (const p of planned) {
        const row = await this.writeOne(tx, principal, source, p, settings);
        queued ||= row.queued;
        const ingested: IngestedAlert = { index: p.item.index, id: row.id, caseId: row.caseId, duplicate: row.duplicate };
        if (row.duplicate) {
          const changed = changedFields(row.previous, p.item.alert);
          ingested.changed = changed;
          if (changed.length > 0) await tx.recordChange(tenantId, row.id, { at: new Date().toISOString(), count: row.count, fields: changed });
        } else if (row.created && !row.queued) {
          this.logger.warn(`no playbook matches alert ${row.id} of tenant ${principal.tenantSlug}; case ${row.caseId} has no run`);
        }
        alerts.push(ingested);
      }
      return { alerts, queued };
    });
  }

  private async writeOne(tx: IngestTransaction, principal: Principal, source: AlertSource, p: Planned, settings: CorrelationSettings): Promise<AlertWritten> {
    const alert = p.item.alert;
    const chosen = this.playbooks.select(alert, source, principal.tenantSlug, p.item.observables);
    const caseId = randomUUID();
    const write: AlertWrite = {
      tenantId: principal.tenantId,
      source,
      alert,
      observables: p.item.observables,
      raw: p.item.raw,
      fingerprint: p.fingerprint.value,
      caseSeverityId: alert.severity_id === 99 ? 0 : alert.severity_id,
      eventTime: new Date(Number.isFinite(alert.time) ? alert.time : Date.now()),
      windowMinutes: settings.windowMinutes,
      newCase: {
        id: caseId,
        workflowId: caseWorkflowId(caseId),
        runStatus: chosen ? 'pending' : 'none',
        playbook: chosen ? { id: chosen.playbook.id, version: chosen.playbook.version, hash: chosen.hash } : null,
      },
      joinReason: { fingerprint: p.fingerprint.value, fields: Object.keys(p.fingerprint.parts), values: p.fingerprint.parts, windowMinutes: settings.windowMinutes },
      taskQueue: this.config.temporal.taskQueue,
      postedBy: principal.actor,
    };
    // The open case found may be closed by an analyst before this statement locks it; then nothing was
    // written and the statement runs again, with a snapshot that sees the case closed.
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const row = await tx.writeAlert(write);
      if (row) return row;
    }
    throw new VigilError('conflict', 'the case this alert correlates with kept changing; send the alert again', { uid: alert.finding_info.uid });
  }
}
