import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { type AppConfig, APP_CONFIG } from '../config/config.schema.js';
import { VigilError } from '../common/errors/vigil-error.js';
import { OutboxRelay } from '../outbox/outbox-relay.service.js';
import { PlaybookCatalog } from '../playbooks/playbook-catalog.service.js';
import type { Principal } from '../tenants/principal.js';
import { TenantSettingsService } from '../tenants/tenant-settings.service.js';
import { caseWorkflowId } from '../../workflows/contracts/case-messages.js';
import type { AlertSource, CanonicalAlert } from './canonical-alert.js';
import { correlationSettings, fingerprintOf, type CorrelationSettings } from './correlation.js';
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

/** Statuses of a case that no longer takes alerts (a merged case is closed by the merge). */
const FINISHED = `('resolved', 'closed', 'false_positive')`;
/** A re-sent alert keeps this many of its latest changes. */
const MAX_CHANGES = 20;
/** A transaction that lost a deadlock (only possible between batches of several alerts) is tried again. */
const ATTEMPTS = 3;

/** A 64-bit advisory lock key from text, as a decimal string Postgres reads as bigint. */
function lockKey(text: string): bigint {
  return createHash('sha256').update(text).digest().readBigInt64BE(0);
}

const LOCK_SQL = 'SELECT count(pg_advisory_xact_lock(k)) FROM unnest($1::bigint[]) AS k';

/**
 * One alert in one statement (prepared once per connection): update it when the source sent it before
 * (and raise its case's severity), else join the newest open case with the same fingerprint seen within
 * the window, else create a case; insert the alert with the reason it joined, and the outbox row that
 * hands it to the case workflow. Runs after the advisory locks on its uid and fingerprint, so its
 * snapshot already sees whatever a concurrent delivery of the same alert or fingerprint committed.
 */
const ALERT_SQL = `
WITH f AS (SELECT $9::jsonb AS finding),
prev AS (
  SELECT id, case_id, finding FROM alerts WHERE tenant_id = $1 AND source = $2 AND source_uid = $3
),
upd AS (
  UPDATE alerts a SET count = a.count + 1, last_seen_at = now(), finding = f.finding, raw = $10::json, severity_id = $5, title = $7, event_time = $8
  FROM prev, f WHERE a.id = prev.id
  RETURNING a.id, a.case_id, a.count, prev.finding AS previous
),
upd_case AS (
  UPDATE cases c SET severity_id = GREATEST(c.severity_id, $6), last_alert_at = now(), updated_at = now()
  FROM upd WHERE c.tenant_id = $1 AND c.id = upd.case_id
  RETURNING c.id
),
open_case AS (
  SELECT id FROM cases
  WHERE tenant_id = $1 AND fingerprint = $4 AND status NOT IN ${FINISHED} AND merged_into IS NULL
    AND last_alert_at >= now() - make_interval(mins => $11) AND NOT EXISTS (SELECT 1 FROM prev)
  ORDER BY last_alert_at DESC LIMIT 1
),
joined AS (
  UPDATE cases c SET alert_count = c.alert_count + 1, last_alert_at = now(), updated_at = now(), severity_id = GREATEST(c.severity_id, $6)
  FROM open_case o WHERE c.id = o.id AND c.status NOT IN ${FINISHED} AND c.merged_into IS NULL
  RETURNING c.id, c.playbook_id, c.playbook_hash, false AS created
),
created AS (
  INSERT INTO cases (id, tenant_id, title, status, severity_id, fingerprint, source, alert_count, playbook_id, playbook_version, playbook_hash, run_status, workflow_id, last_alert_at)
  SELECT $12, $1, $7, 'new', $6, $4, $2, 1, $13, $14, $15, $16, $17, now()
  WHERE NOT EXISTS (SELECT 1 FROM prev) AND NOT EXISTS (SELECT 1 FROM open_case)
  RETURNING id, playbook_id, playbook_hash, true AS created
),
target AS (SELECT * FROM joined UNION ALL SELECT * FROM created),
inserted AS (
  INSERT INTO alerts (tenant_id, case_id, source, source_uid, fingerprint, severity_id, title, event_time, finding, raw, first_seen_at, last_seen_at, join_reason)
  SELECT $1, t.id, $2, $3, $4, $5, $7, $8, f.finding, $10::json, now(), now(),
         $18::jsonb || jsonb_build_object('rule', CASE WHEN t.created THEN 'new_case' ELSE 'fingerprint' END)
  FROM target t, f
  RETURNING id, case_id
),
queued AS (
  INSERT INTO outbox (tenant_id, case_id, kind, task_queue, payload)
  SELECT $1, i.case_id, 'alert_added', $19,
         jsonb_build_object('alertId', i.id, 'severityId', $6::int, 'playbookId', t.playbook_id, 'playbookHash', t.playbook_hash, 'finding', f.finding)
  FROM inserted i, target t, f WHERE t.playbook_id IS NOT NULL AND t.playbook_hash IS NOT NULL
  RETURNING id
)
SELECT upd.id, upd.case_id, true AS duplicate, upd.count, upd.previous, NULL::boolean AS created, false AS queued FROM upd
UNION ALL
SELECT i.id, i.case_id, false, 1, NULL, t.created, EXISTS (SELECT 1 FROM queued) FROM inserted i, target t`;

const CHANGES_SQL = `
UPDATE alerts SET changes = (
  SELECT coalesce(jsonb_agg(e ORDER BY n), '[]'::jsonb)
  FROM jsonb_array_elements(jsonb_build_array($3::jsonb) || changes) WITH ORDINALITY AS x(e, n) WHERE n <= ${MAX_CHANGES}
) WHERE tenant_id = $1 AND id = $2`;

interface AlertRow {
  id: string;
  case_id: string;
  duplicate: boolean;
  count: number;
  previous: unknown;
  created: boolean | null;
  queued: boolean;
}

/**
 * Turns normalised alerts into rows: alert (idempotent on tenant + source + uid), case (correlated
 * by fingerprint within the tenant's window) and an outbox row, all in one transaction before the
 * caller answers 2xx. A delivery of one alert costs four round trips (BEGIN, the advisory locks, one
 * statement, COMMIT). The relay is woken after commit, so the outbox adds no fixed delay.
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

  private async write(principal: Principal, source: AlertSource, planned: Planned[], settings: CorrelationSettings): Promise<{ alerts: IngestedAlert[]; queued: boolean }> {
    const tenantId = principal.tenantId;
    // Lock every uid and fingerprint of the batch, in one sorted order so concurrent batches never deadlock
    // on them: two deliveries of the same new fingerprint then make one case, not two.
    const keys = new Set<bigint>();
    for (const p of planned) {
      keys.add(lockKey(`uid:${tenantId}:${source}:${p.item.alert.finding_info.uid}`));
      keys.add(lockKey(`fp:${tenantId}:${p.fingerprint.value}`));
    }
    const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String);

    // The pool's own connection, for named (prepared) statements: the big statement is planned once per connection.
    const runner = this.db.createQueryRunner();
    const client = (await runner.connect()) as pg.PoolClient;
    try {
      await client.query('BEGIN');
      await client.query({ name: 'vigil_ingest_lock', text: LOCK_SQL, values: [sorted] });
      const alerts: IngestedAlert[] = [];
      let queued = false;
      for (const p of planned) {
        const row = await this.writeOne(client, principal, source, p, settings);
        queued ||= row.queued;
        const ingested: IngestedAlert = { index: p.item.index, id: row.id, caseId: row.case_id, duplicate: row.duplicate };
        if (row.duplicate) {
          const changed = changedFields(row.previous, p.item.alert);
          ingested.changed = changed;
          if (changed.length > 0) {
            await client.query({ name: 'vigil_ingest_changes', text: CHANGES_SQL, values: [tenantId, row.id, JSON.stringify({ at: new Date().toISOString(), count: row.count, fields: changed })] });
          }
        } else if (row.created && !row.queued) {
          this.logger.warn(`no playbook matches alert ${row.id} of tenant ${principal.tenantSlug}; case ${row.case_id} has no run`);
        }
        alerts.push(ingested);
      }
      await client.query('COMMIT');
      return { alerts, queued };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  private async writeOne(client: pg.PoolClient, principal: Principal, source: AlertSource, p: Planned, settings: CorrelationSettings): Promise<AlertRow> {
    const alert = p.item.alert;
    const severity = alert.severity_id === 99 ? 0 : alert.severity_id;
    const chosen = this.playbooks.select(alert, source, principal.tenantSlug);
    const caseId = randomUUID();
    const joinReason = { fingerprint: p.fingerprint.value, fields: Object.keys(p.fingerprint.parts), values: p.fingerprint.parts, windowMinutes: settings.windowMinutes };
    const values = [
      principal.tenantId,
      source,
      alert.finding_info.uid,
      p.fingerprint.value,
      alert.severity_id,
      severity,
      alert.finding_info.title,
      new Date(Number.isFinite(alert.time) ? alert.time : Date.now()),
      JSON.stringify(alert),
      JSON.stringify(p.item.raw ?? null),
      settings.windowMinutes,
      caseId,
      chosen?.playbook.id ?? null,
      chosen?.playbook.version ?? null,
      chosen?.hash ?? null,
      chosen ? 'pending' : 'none',
      caseWorkflowId(caseId),
      JSON.stringify(joinReason),
      this.config.temporal.taskQueue,
    ];
    // The open case found may be closed by an analyst before this statement locks it; then nothing was
    // written and the statement runs again, with a snapshot that sees the case closed.
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const result = await client.query<AlertRow>({ name: 'vigil_ingest_alert', text: ALERT_SQL, values });
      if (result.rows[0]) return result.rows[0];
    }
    throw new VigilError('conflict', 'the case this alert correlates with kept changing; send the alert again', { uid: alert.finding_info.uid });
  }
}
