import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type AppConfig, APP_CONFIG } from '../config/config.schema.js';
import { notFound } from '../common/errors/vigil-error.js';
import { Orchestrator } from '../temporal/orchestrator.port.js';
import type { CaseRunState } from '../../workflows/case-messages.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A case view never waits longer than this for the live step states. */
const RUN_STATE_TIMEOUT_MS = 1_500;

export interface CaseView {
  id: string;
  title: string;
  status: string;
  severityId: number;
  source: string;
  alertCount: number;
  createdAt: string;
  updatedAt: string;
  run: {
    status: string;
    playbookId: string | null;
    playbookVersion: string | null;
    playbookHash: string | null;
    workflowId: string;
    temporalUrl: string;
    live: CaseRunState | null;
  };
  resolution: string | null;
  alerts: Array<Record<string, unknown>>;
  timeline: Array<Record<string, unknown>>;
}

/** Reads cases for the API; every query is scoped by tenant, and another tenant's case is simply not found. */
@Injectable()
export class CasesService {
  private readonly logger = new Logger('CasesService');

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(Orchestrator) private readonly orchestrator: Orchestrator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async get(tenantId: string, id: string): Promise<CaseView> {
    if (!UUID.test(id)) throw notFound('case', id);
    const rows: Array<Record<string, unknown>> = await this.db.query(
      `SELECT id, title, status, severity_id, source, alert_count, created_at, updated_at, run_status, playbook_id, playbook_version, playbook_hash, workflow_id, resolution
       FROM cases WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    const c = rows[0];
    if (!c) throw notFound('case', id);
    const [alerts, events, live] = await Promise.all([
      this.db.query(
        `SELECT id, source, source_uid AS "sourceUid", title, severity_id AS "severityId", event_time AS "time", count,
                first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt", join_reason AS "joinReason",
                finding->'observables' AS observables, finding->'finding_info'->'attacks' AS attacks
         FROM alerts WHERE tenant_id = $1 AND case_id = $2 ORDER BY first_seen_at, id`,
        [tenantId, id],
      ) as Promise<Array<Record<string, unknown>>>,
      this.db.query(
        `SELECT id, at, actor, kind, step_id AS "stepId", message, data FROM case_events
         WHERE tenant_id = $1 AND case_id = $2 ORDER BY at, id`,
        [tenantId, id],
      ) as Promise<Array<Record<string, unknown>>>,
      this.liveState(id, String(c['run_status'])),
    ]);
    // Alerts joining are timeline events too; they are read from the alert rows rather than written twice.
    const joined = alerts.map((a) => ({
      id: `alert:${String(a['id'])}`,
      at: a['firstSeenAt'],
      actor: 'ingest',
      kind: 'alert_joined',
      stepId: null,
      message: `alert "${String(a['title'])}" joined (${(a['joinReason'] as { rule?: string } | null)?.rule ?? 'unknown'})`,
      data: { alertId: a['id'], reason: a['joinReason'] },
    }));
    const timeline = [...joined, ...events].sort((a, b) => new Date(String(a.at)).getTime() - new Date(String(b.at)).getTime());
    const workflowId = String(c['workflow_id']);
    return {
      id: String(c['id']),
      title: String(c['title']),
      status: String(c['status']),
      severityId: Number(c['severity_id']),
      source: String(c['source']),
      alertCount: Number(c['alert_count']),
      createdAt: new Date(String(c['created_at'])).toISOString(),
      updatedAt: new Date(String(c['updated_at'])).toISOString(),
      run: {
        status: String(c['run_status']),
        playbookId: (c['playbook_id'] as string | null) ?? null,
        playbookVersion: (c['playbook_version'] as string | null) ?? null,
        playbookHash: (c['playbook_hash'] as string | null) ?? null,
        workflowId,
        temporalUrl: `${this.config.temporal.uiUrl}/namespaces/${encodeURIComponent(this.config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`,
        live,
      },
      resolution: (c['resolution'] as string | null) ?? null,
      alerts,
      timeline,
    };
  }

  private async liveState(caseId: string, runStatus: string): Promise<CaseRunState | null> {
    if (runStatus === 'none') return null;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), RUN_STATE_TIMEOUT_MS);
      });
      return (await Promise.race([this.orchestrator.runState(caseId), timeout])) ?? null;
    } catch (error) {
      this.logger.debug(`no live state for case ${caseId}: ${(error as Error).message}`);
      return null;
    } finally {
      clearTimeout(timer);
    }
  }
}
