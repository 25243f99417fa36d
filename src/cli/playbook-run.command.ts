import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { NestFactory } from '@nestjs/core';
import { Client, Connection } from '@temporalio/client';
import { DataSource } from 'typeorm';
import type { CanonicalAlert, CanonicalObservable } from '../common/canonical-alert.js';
import { ALERT_SOURCES, type AlertSource } from '../common/canonical-alert.js';
import { DEFAULT_CORRELATION, fingerprintOf } from '../alerts/index.js';
import { detectSource, NORMALIZERS } from '../alerts/index.js';
import { parseJsonSafely } from '../common/http/payload-guard.js';
import { type AppConfig, loadConfig } from '../config/config.schema.js';
import { PlaybookLibraryService } from '../playbooks/index.js';
import { formatPlaybookError, validatePlaybookFiles } from '../playbooks/index.js';
import { ApprovalRefusedError, Orchestrator } from '../temporal/index.js';
import { createVigilWorker } from '../composition/worker-factory.js';
import { WorkerModule } from '../composition/worker.module.js';
import { type CaseRunState, caseWorkflowId, type PinnedPlaybook, runStateQuery } from '../../workflows/contracts/case-messages.js';
import type { ApprovalLevel, Playbook } from '../../workflows/language/playbook.types.js';
import { type CliIo, EXIT_FAILED, EXIT_OK, UsageError } from './cli-io.js';

export interface DryRunOptions {
  alertFile: string;
  playbookFile?: string;
  source?: string;
  /** Run for this tenant (its playbooks and connections); default: the `vigil-dry-run` tenant. */
  tenant?: string;
  /** How to answer approvals that open: approve (default) or reject. */
  approvals: 'approve' | 'reject';
  timeoutMs: number;
  json: boolean;
}

export interface DryRunStep {
  stepId: string;
  state: string;
  /** What the step did, from its timeline line (`called virustotal.get_file_report on file …`). */
  detail?: string;
}

export interface WouldSend {
  stepId: string;
  action: string;
  target: string | null;
  input: unknown;
}

export interface DryRunReport {
  playbook: { id: string; version: string; hash: string };
  tenant: string;
  caseId: string;
  workflowId: string;
  alert: { source: string; title: string; severityId: number };
  runStatus: string;
  caseStatus: string;
  error: string | null;
  steps: DryRunStep[];
  /** Enrichment that really ran (through the tenant's connections). */
  called: Array<{ stepId: string; action: string; target: string | null }>;
  /** Containment, notification and ticketing commands that were NOT sent, exactly as they would have been. */
  wouldSend: WouldSend[];
  approvals: Array<{ stepId: string; decision: string }>;
}

/** The tenant dry runs go to unless `--tenant` names one (the usage text in vigil.ts names it too). */
export const DRY_RUN_TENANT = 'vigil-dry-run';

function isSource(value: string): value is AlertSource {
  return (ALERT_SOURCES as readonly string[]).includes(value);
}

async function readAlert(file: string, source: string | undefined): Promise<{ alert: CanonicalAlert; observables: CanonicalObservable[]; source: AlertSource }> {
  const text = await readFile(file, 'utf8');
  const parsed = parseJsonSafely(text);
  const body: unknown = parsed.ok ? parsed.value : text;
  const chosen = source ?? detectSource(body);
  if (!chosen) throw new UsageError(`${file}: the alert matches none of the supported formats; name its source with --source`);
  if (!isSource(chosen)) throw new UsageError(`unknown source '${chosen}'; one of ${ALERT_SOURCES.join(', ')}`);
  const result = NORMALIZERS.get(chosen)!.normalize(body, Date.now());
  const item = result.alerts[0];
  if (!item) throw new UsageError(`${file}: not a valid ${chosen} alert: ${result.failures.map((f) => f.message).join('; ')}`);
  return { alert: item.alert, observables: item.observables, source: chosen };
}

/**
 * Runs a playbook on the Temporal server with `dryRun: true`: enrichment really runs through the
 * tenant's connections (the vendor simulator in development), every other action is recorded as the
 * command it would have sent and is not sent. A worker runs in this process on a private task queue.
 */
export async function dryRun(options: DryRunOptions, env: Readonly<Record<string, string | undefined>>, io: CliIo): Promise<DryRunReport> {
  const config: AppConfig = loadConfig({
    // Development: vendors without a connection of the tenant's own are the simulator's.
    VIGIL_SIMULATOR_CONNECTIONS: 'true',
    ...env,
    VIGIL_TASK_QUEUE: `vigil-dry-run-${randomUUID()}`,
    VIGIL_OUTBOX_ENABLED: 'false',
    VIGIL_LOG_LEVEL: env['VIGIL_LOG_LEVEL'] ?? 'error',
  });
  const { alert, observables, source } = await readAlert(options.alertFile, options.source);
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: ['error'] });
  let connection: Connection | undefined;
  let stopWorker: (() => Promise<void>) | undefined;
  try {
    const db = app.get(DataSource);
    const catalog = app.get(PlaybookLibraryService);
    const slug = options.tenant ?? DRY_RUN_TENANT;
    let tenants: Array<{ id: string }> = await db.query(`SELECT id FROM tenants WHERE slug = $1`, [slug]);
    if (tenants.length === 0) {
      if (options.tenant) throw new UsageError(`no tenant '${options.tenant}'`);
      tenants = await db.query(`INSERT INTO tenants (slug, name) VALUES ($1, 'Dry runs') ON CONFLICT (slug) DO UPDATE SET slug = EXCLUDED.slug RETURNING id`, [slug]);
    }
    const tenantId = tenants[0]!.id;

    let playbook: Playbook;
    let hash: string;
    let subPlaybooks: Record<string, PinnedPlaybook>;
    if (options.playbookFile) {
      const checked = await validatePlaybookFiles([options.playbookFile], catalog.bundledDir);
      if (checked.errors.length > 0 || !checked.playbooks[0]) {
        for (const e of checked.errors) io.err(formatPlaybookError(e));
        throw new UsageError(`${options.playbookFile} is not a valid playbook`);
      }
      playbook = checked.playbooks[0].playbook;
      hash = checked.playbooks[0].hash;
      subPlaybooks = catalog.subPlaybooks(playbook, tenantId);
    } else {
      await catalog.refreshTenant(tenantId);
      const chosen = catalog.select(alert, source, slug, observables);
      if (!chosen) throw new UsageError(`no playbook of tenant ${slug} matches this alert; name one with --playbook`);
      playbook = chosen.playbook;
      hash = chosen.hash;
      subPlaybooks = catalog.subPlaybooks(playbook, tenantId);
    }

    const caseId = randomUUID();
    const severity = alert.severity_id === 99 ? 0 : alert.severity_id;
    const fingerprint = fingerprintOf(alert, source, DEFAULT_CORRELATION);
    // A dry run makes no SLA promise and pages nobody: its case has no task queue for clock signals.
    await db.query(
      `INSERT INTO cases (id, tenant_id, title, status, severity_id, fingerprint, source, alert_count, playbook_id, playbook_version, playbook_hash, run_status, workflow_id, last_alert_at, task_queue)
       VALUES ($1, $2, $3, 'new', $4, $5, $6, 1, $7, $8, $9, 'pending', $10, now(), NULL)`,
      [caseId, tenantId, `[dry run] ${alert.finding_info.title}`, severity, `dry-run:${caseId}`, source, playbook.id, playbook.version, hash, caseWorkflowId(caseId)],
    );
    const alertRows: Array<{ id: string }> = await db.query(
      `INSERT INTO alerts (tenant_id, case_id, source, source_uid, fingerprint, severity_id, title, event_time, finding, raw, first_seen_at, last_seen_at, join_reason, observables)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now(), $8, $9, now(), now(), $10, $11) RETURNING id`,
      [
        tenantId,
        caseId,
        source,
        `dry-run:${caseId}`,
        fingerprint.value,
        alert.severity_id,
        alert.finding_info.title,
        JSON.stringify(alert),
        JSON.stringify({ dryRun: options.alertFile }),
        JSON.stringify({ rule: 'new_case', fingerprint: fingerprint.value, fields: [], values: {}, windowMinutes: 0 }),
        JSON.stringify(observables),
      ],
    );

    const created = await createVigilWorker({ config, app, taskQueue: config.temporal.taskQueue });
    const running = created.worker.run();
    stopWorker = async () => {
      if (created.worker.getState() === 'RUNNING') created.worker.shutdown();
      await running.catch(() => undefined);
      await created.connection.close().catch(() => undefined);
    };
    connection = await Connection.connect({ address: config.temporal.address });
    const client = new Client({ connection, namespace: config.temporal.namespace });
    const orchestrator = app.get(Orchestrator);
    const workflowId = caseWorkflowId(caseId);
    await orchestrator.deliverAlerts(
      {
        tenantId,
        caseId,
        ...(await catalog.pinRun(playbook, hash, subPlaybooks)),
        idleTimeout: '1s',
        dryRun: true,
        startedBy: 'cli:dry-run',
        severityId: severity,
      },
      [{ alertId: alertRows[0]!.id, finding: alert as unknown as Record<string, unknown>, observables: observables as unknown as Array<Record<string, unknown>> }],
    );

    const approvals: Array<{ stepId: string; decision: string }> = [];
    const answered = new Set<string>();
    const deadline = Date.now() + options.timeoutMs;
    let finished = false;
    while (Date.now() < deadline) {
      const rows: Array<{ run_status: string }> = await db.query(`SELECT run_status FROM cases WHERE id = $1`, [caseId]);
      if (rows[0]?.run_status === 'completed' || rows[0]?.run_status === 'failed') {
        finished = true;
        break;
      }
      const pending: Array<{ id: string; workflow_id: string; step_id: string; levels: ApprovalLevel[]; level_index: number }> = await db.query(
        `SELECT id, workflow_id, step_id, levels, level_index FROM approvals WHERE tenant_id = $1 AND case_id = $2 AND status = 'pending'`,
        [tenantId, caseId],
      );
      for (const approval of pending) {
        if (answered.has(approval.id)) continue;
        const roles = (approval.levels[approval.level_index] ?? approval.levels[0])?.roles ?? ['analyst'];
        try {
          await orchestrator.decideApproval(approval.workflow_id, {
            approvalId: approval.id,
            decision: options.approvals,
            actor: { id: 'user:vigil-dry-run', roles },
            via: 'api',
            comment: 'dry run',
          });
          answered.add(approval.id);
          approvals.push({ stepId: approval.step_id, decision: options.approvals });
        } catch (error) {
          if (!(error instanceof ApprovalRefusedError && error.refusal === 'unknown_approval')) throw error;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    let state: CaseRunState | undefined;
    try {
      state = await client.workflow.getHandle(workflowId).query(runStateQuery);
    } catch {
      state = undefined;
    }
    await client.workflow
      .getHandle(workflowId)
      .terminate('dry run finished')
      .catch(() => undefined);

    const caseRows: Array<{ status: string; run_status: string }> = await db.query(`SELECT status, run_status FROM cases WHERE id = $1`, [caseId]);
    const events: Array<{ kind: string; step_id: string | null; message: string; data: Record<string, unknown> }> = await db.query(
      `SELECT kind, step_id, message, data FROM case_events WHERE case_id = $1 ORDER BY at, id`,
      [caseId],
    );
    const lineOf = new Map<string, string>();
    for (const e of events) if (e.step_id && !lineOf.has(e.step_id)) lineOf.set(e.step_id, e.message);
    const runEnd = events.find((e) => e.kind === 'run_finished');
    const report: DryRunReport = {
      playbook: { id: playbook.id, version: playbook.version, hash },
      tenant: slug,
      caseId,
      workflowId,
      alert: { source, title: alert.finding_info.title, severityId: alert.severity_id },
      runStatus: finished ? (caseRows[0]?.run_status ?? 'unknown') : 'timed_out',
      caseStatus: caseRows[0]?.status ?? 'unknown',
      error: caseRows[0]?.run_status === 'failed' ? (runEnd?.message ?? null) : null,
      steps: (state?.steps ?? []).map((s) => ({ stepId: s.stepId, state: s.state, ...(lineOf.has(s.stepId) ? { detail: lineOf.get(s.stepId) } : {}) })),
      called: events
        .filter((e) => e.kind === 'step_finished' && typeof e.data['action'] === 'string' && e.data['dryRun'] === false)
        .map((e) => ({ stepId: e.step_id ?? '', action: String(e.data['action']), target: (e.data['target'] as string | undefined) ?? null })),
      wouldSend: events
        .filter((e) => e.kind === 'step_finished' && e.data['dryRun'] === true)
        .map((e) => ({ stepId: e.step_id ?? '', action: String(e.data['action']), target: (e.data['target'] as string | undefined) ?? null, input: e.data['input'] })),
      approvals,
    };
    return report;
  } finally {
    await stopWorker?.();
    await connection?.close().catch(() => undefined);
    await app.close();
  }
}

export function formatDryRun(r: DryRunReport): string[] {
  const lines = [
    `dry run of playbook ${r.playbook.id} ${r.playbook.version} (${r.playbook.hash.slice(0, 12)}) for tenant ${r.tenant}`,
    `alert: ${r.alert.title} (${r.alert.source}, severity ${r.alert.severityId})`,
    `case ${r.caseId} (workflow ${r.workflowId})`,
    '',
    'steps:',
  ];
  const marks: Record<string, string> = { completed: '✔', failed: '✖', skipped: '-', running: '…', cancelled: '×', pending: ' ' };
  for (const s of r.steps) lines.push(`  ${marks[s.state] ?? '?'} ${s.stepId}${s.state === 'skipped' ? ' (skipped)' : ''}${s.detail ? `: ${s.detail}` : ''}`);
  for (const a of r.approvals) lines.push(`  approval ${a.stepId} answered: ${a.decision}`);
  lines.push('', r.wouldSend.length === 0 ? 'would send (NOT sent, dry run): nothing' : 'would send (NOT sent, dry run):');
  for (const w of r.wouldSend) lines.push(`  ${w.stepId}: ${w.action}${w.target ? ` on ${w.target}` : ''} ${JSON.stringify(w.input)}`);
  lines.push('', `run ${r.runStatus}; case status ${r.caseStatus}${r.error ? `; ${r.error}` : ''}`);
  return lines;
}

export async function runCommand(options: DryRunOptions, io: CliIo, env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const report = await dryRun(options, env, io);
  if (options.json) io.out(JSON.stringify(report, null, 2));
  else for (const line of formatDryRun(report)) io.out(line);
  return report.runStatus === 'completed' ? EXIT_OK : EXIT_FAILED;
}
