import { randomBytes, randomUUID } from 'node:crypto';
import { DEFAULT_FIXTURES_DIR } from '../config/project-paths.js';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Client, Connection } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { DataSource } from 'typeorm';
import { parse as parseYaml } from 'yaml';
import { ActionRunner } from '../activities/action-runner.js';
import { ApprovalsService } from '../approvals/approvals.service.js';
import type { CanonicalAlert, CanonicalObservable } from '../common/canonical-alert.js';
import { fingerprintOf, DEFAULT_CORRELATION } from '../alerts/correlation.js';
import { NORMALIZERS } from '../alerts/normalizers/index.js';
import { type AppConfig, loadConfig } from '../config/config.schema.js';
import { SlaClocksModule } from '../sla/index.js';
import { CoreModule } from './core.module.js';
import type { Role } from '../persistence/entities/api-key.entity.js';
import { ApprovalRefusedError, Orchestrator } from '../temporal/orchestrator.port.js';
import { ROLES } from '../common/auth/principal.js';
import { createVigilWorker } from './worker-factory.js';
import type { ApprovalDecision } from '../../workflows/contracts/approval-messages.js';
import { type CaseRunState, caseWorkflowId, type PinnedPlaybook, runStateQuery } from '../../workflows/contracts/case-messages.js';
import { parseDuration } from '../../workflows/language/duration.js';
import { stepLists } from '../../workflows/language/step-model.js';
import type { ApprovalLevel, Playbook, Step } from '../../workflows/language/playbook.types.js';
import { actionCatalogForValidation } from '../playbooks/action-catalog-view.js';
import { PlaybookLibraryService } from '../playbooks/playbook-library.service.js';
import { type LoadedPlaybook, type PlaybookSource, validatePlaybookSet } from '../playbooks/validation/index.js';
import { isPlaybookTestFile, loadPlaybookTestFile } from '../playbooks/testing/playbook-test-file.js';
import type { ExpectedAction, PlaybookTest, RecordedResponse } from '../playbooks/testing/playbook-test.schema.js';
import { partialMatch, type RecordedCall, RecordingActionRunner } from './recording-action-runner.js';

export interface PlaybookTestCall {
  action: string;
  params: unknown;
}

export interface PlaybookTestResult {
  file: string;
  name: string;
  passed: boolean;
  /** Why it failed, one line each; empty when it passed. */
  failures: string[];
  playbook?: { id: string; version: string; hash: string };
  caseId?: string;
  /** Step ids the run took (completed or failed), in order. */
  steps: string[];
  /** Every action called (once per step visit), in call order, with rendered parameters. */
  calls: PlaybookTestCall[];
  approvals: Array<{ stepId: string; decision: ApprovalDecision }>;
  status?: string;
  runStatus?: string;
  resolution?: string | null;
  /** The run's own error, when it failed. */
  error?: string;
  durationMs: number;
}

export interface PlaybookTestRunnerOptions {
  /** The environment to read Vigil's configuration from; DATABASE_URL should name a test database. */
  env: Readonly<Record<string, string | undefined>>;
  /** A prebuilt workflow bundle; without one the worker bundles the workflows (about a second). */
  workflowBundle?: { code: string } | { codePath: string };
}

/** The worker's application context with the recording runner in place of the ActionRunner. */
@Module({})
class PlaybookTestModule {
  static forRoot(config: AppConfig, recorder: RecordingActionRunner): DynamicModule {
    return {
      module: PlaybookTestModule,
      // The SLA clocks module only so the worker registers every activity; these cases signal no clock.
      imports: [CoreModule.forRoot(config, [{ provide: ActionRunner, useValue: recorder }]), SlaClocksModule],
      // Approvals are answered the way analysts answer them over the API.
      providers: [ApprovalsService],
    };
  }
}

/** A playbook test's own timeout (the test file's schema checked its grammar). */
function durationMs(text: string): number {
  return parseDuration(text) ?? 30_000;
}

const POLL_MS = 50;

function collectSubPlaybookIds(steps: readonly Step[], into: Set<string>): void {
  for (const step of steps) {
    if (step.kind === 'playbook') into.add(step.playbook);
    for (const nested of stepLists(step)) collectSubPlaybookIds(nested.steps, into);
  }
}

function isPlaybookFileName(name: string): boolean {
  return /\.ya?ml$/.test(name) && !isPlaybookTestFile(name);
}

function describeList(items: readonly unknown[]): string {
  return `[${items.map((i) => (typeof i === 'string' ? i : JSON.stringify(i))).join(', ')}]`;
}

function expectedKey(e: ExpectedAction): string {
  return typeof e === 'string' ? e : e.action;
}

function actionMatches(expected: ExpectedAction, call: PlaybookTestCall): boolean {
  if (typeof expected === 'string') return expected === call.action;
  return expected.action === call.action && (expected.params === undefined || partialMatch(expected.params, call.params));
}

/**
 * Runs playbook test files on the real Temporal server: a worker in this process on a private task
 * queue, whose ActionRunner answers from the tests' recorded responses. Each test gets a throwaway
 * tenant and case in the (test) database, starts the case workflow through the Orchestrator port
 * with the input the outbox relay builds, answers approvals through the `decideApproval` Update as
 * they open, and compares what the run did with what the test expects.
 */
const SHARED_PREFIX = 'shared:';

export class PlaybookTestRunner {
  private constructor(
    private readonly app: INestApplicationContext,
    private readonly config: AppConfig,
    private readonly recorder: RecordingActionRunner,
    private readonly worker: Worker,
    private readonly workerDone: Promise<void>,
    private readonly closeWorkerConnection: () => Promise<void>,
    private readonly client: Client,
  ) {}

  static async start(options: PlaybookTestRunnerOptions): Promise<PlaybookTestRunner> {
    const env = options.env;
    const config = loadConfig({
      ...env,
      // A private queue: no other worker picks these runs up, and this worker picks up nothing else.
      VIGIL_TASK_QUEUE: `vigil-playbook-test-${randomUUID()}`,
      VIGIL_OUTBOX_ENABLED: 'false',
      VIGIL_STICKY_TIMEOUT_MS: env['VIGIL_STICKY_TIMEOUT_MS'] ?? '1000',
      VIGIL_LOG_LEVEL: env['VIGIL_LOG_LEVEL'] ?? 'error',
    });
    const recorder = new RecordingActionRunner();
    const app = await NestFactory.createApplicationContext(PlaybookTestModule.forRoot(config, recorder), { logger: ['error'] });
    let worker: Worker | undefined;
    try {
      const created = await createVigilWorker({ config, app, taskQueue: config.temporal.taskQueue, workflowBundle: options.workflowBundle });
      worker = created.worker;
      const running = worker.run();
      const connection = await Connection.connect({ address: config.temporal.address });
      const client = new Client({ connection, namespace: config.temporal.namespace });
      return new PlaybookTestRunner(
        app,
        config,
        recorder,
        worker,
        running,
        async () => {
          await created.connection.close();
          await connection.close();
        },
        client,
      );
    } catch (error) {
      if (worker?.getState() === 'RUNNING') worker.shutdown();
      await app.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.worker.getState() === 'RUNNING') this.worker.shutdown();
    await this.workerDone.catch(() => undefined);
    await this.closeWorkerConnection().catch(() => undefined);
    await this.app.close();
  }

  /** Runs one test file; never throws for a failing test (the result says why). */
  async run(file: string): Promise<PlaybookTestResult> {
    const t0 = Date.now();
    const result: PlaybookTestResult = { file, name: path.basename(file), passed: false, failures: [], steps: [], calls: [], approvals: [], durationMs: 0 };
    const finish = (): PlaybookTestResult => {
      result.passed = result.failures.length === 0;
      result.durationMs = Date.now() - t0;
      return result;
    };
    const loaded = await loadPlaybookTestFile(file);
    if (!loaded.ok) {
      result.failures.push(...loaded.errors.map((e) => `${e.file}:${e.line}:${e.column} ${e.path} ${e.message}`));
      return finish();
    }
    const test = loaded.test;
    result.name = test.name ?? path.basename(file);
    try {
      await this.execute(test, loaded.dir, result);
    } catch (error) {
      result.failures.push(error instanceof Error ? error.message : String(error));
    }
    return finish();
  }

  private async execute(test: PlaybookTest, dir: string, result: PlaybookTestResult): Promise<void> {
    const { playbook, hash, subPlaybooks } = await this.resolvePlaybook(test.playbook, dir);
    result.playbook = { id: playbook.id, version: playbook.version, hash };
    const { alert, observables } = await this.resolveAlert(test, dir);
    const db = this.app.get(DataSource);
    const catalog = this.app.get(PlaybookLibraryService);

    // A throwaway tenant and case, written as ingest writes them.
    const slug = `playbook-test-${randomBytes(5).toString('hex')}`;
    const tenantRows: Array<{ id: string }> = await db.query(`INSERT INTO tenants (slug, name) VALUES ($1, $2) RETURNING id`, [slug, `Playbook test ${result.name}`]);
    const tenantId = tenantRows[0]!.id;
    const caseId = randomUUID();
    result.caseId = caseId;
    const severity = alert.severity_id === 99 ? 0 : alert.severity_id;
    const fingerprint = fingerprintOf(alert, test.source, DEFAULT_CORRELATION);
    // A playbook test's case makes no SLA promise and pages nobody: no task queue for clock signals.
    await db.query(
      `INSERT INTO cases (id, tenant_id, title, status, severity_id, fingerprint, source, alert_count, playbook_id, playbook_version, playbook_hash, run_status, workflow_id, last_alert_at, task_queue)
       VALUES ($1, $2, $3, 'new', $4, $5, $6, 1, $7, $8, $9, 'pending', $10, now(), NULL)`,
      [caseId, tenantId, alert.finding_info.title, severity, fingerprint.value, test.source, playbook.id, playbook.version, hash, caseWorkflowId(caseId)],
    );
    const alertRows: Array<{ id: string }> = await db.query(
      `INSERT INTO alerts (tenant_id, case_id, source, source_uid, fingerprint, severity_id, title, event_time, finding, raw, first_seen_at, last_seen_at, join_reason, observables)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now(), $8, $9, now(), now(), $10, $11) RETURNING id`,
      [
        tenantId,
        caseId,
        test.source,
        alert.finding_info.uid,
        fingerprint.value,
        alert.severity_id,
        alert.finding_info.title,
        JSON.stringify(alert),
        JSON.stringify({ playbookTest: result.name }),
        JSON.stringify({ rule: 'new_case', fingerprint: fingerprint.value, fields: Object.keys(fingerprint.parts), values: fingerprint.parts, windowMinutes: 60 }),
        JSON.stringify(observables),
      ],
    );

    const responses: Record<string, RecordedResponse[]> = {};
    for (const [key, value] of Object.entries(test.responses)) responses[key] = Array.isArray(value) ? value : [value];
    const calls = this.recorder.script(tenantId, responses);
    const workflowId = caseWorkflowId(caseId);
    try {
      await this.app.get(Orchestrator).deliverAlerts(
        {
          tenantId,
          caseId,
          ...(await catalog.pinRun(playbook, hash, subPlaybooks, path.join(dir, 'templates'))),
          idleTimeout: '1m',
          severityId: severity,
        },
        [{ alertId: alertRows[0]!.id, finding: alert as unknown as Record<string, unknown>, observables: observables as unknown as Array<Record<string, unknown>> }],
      );
      const done = await this.drive(test, tenantId, slug, caseId, result);
      const state = await this.runState(workflowId);
      result.steps = (state?.steps ?? []).filter((s) => s.state === 'completed' || s.state === 'failed').map((s) => s.stepId);
      result.calls = this.distinctCalls(calls);
      const rows: Array<{ status: string; run_status: string; resolution: string | null }> = await db.query(`SELECT status, run_status, resolution FROM cases WHERE id = $1`, [
        caseId,
      ]);
      result.status = rows[0]?.status;
      result.runStatus = rows[0]?.run_status;
      result.resolution = rows[0]?.resolution ?? null;
      if (result.runStatus === 'failed') {
        const ended: Array<{ message: string }> = await db.query(`SELECT message FROM case_events WHERE case_id = $1 AND kind = 'run_finished'`, [caseId]);
        result.error = ended[0]?.message;
      }
      for (const call of calls) if (call.problem && !result.failures.includes(call.problem)) result.failures.push(call.problem);
      if (!done) {
        result.failures.push(`the run did not finish within ${test.timeout} (steps taken: ${describeList(result.steps)})`);
        return;
      }
      this.compare(test, result);
    } finally {
      this.recorder.forget(tenantId);
      await this.client.workflow
        .getHandle(workflowId)
        .terminate('playbook test finished')
        // Already ended (or never started): nothing to stop.
        .catch(() => undefined);
    }
  }

  /** Waits for the run to finish, answering approvals as they open; false on timeout. */
  private async drive(test: PlaybookTest, tenantId: string, slug: string, caseId: string, result: PlaybookTestResult): Promise<boolean> {
    const db = this.app.get(DataSource);
    const orchestrator = this.app.get(Orchestrator);
    const approvals = this.app.get(ApprovalsService);
    const answered = new Set<string>();
    const deadline = Date.now() + durationMs(test.timeout);
    while (Date.now() < deadline) {
      const rows: Array<{ run_status: string }> = await db.query(`SELECT run_status FROM cases WHERE id = $1`, [caseId]);
      if (rows[0]?.run_status === 'completed' || rows[0]?.run_status === 'failed') return true;
      const pending: Array<{ id: string; workflow_id: string; step_id: string; levels: ApprovalLevel[]; level_index: number }> = await db.query(
        `SELECT id, workflow_id, step_id, levels, level_index FROM approvals WHERE tenant_id = $1 AND case_id = $2 AND status = 'pending'`,
        [tenantId, caseId],
      );
      for (const approval of pending) {
        if (answered.has(approval.id)) continue;
        const answer = test.approvals[approval.step_id];
        if (answer === undefined) {
          throw new Error(`approval step '${approval.step_id}' opened, but the test gives no answer for it (add approvals.${approval.step_id}: approve or reject)`);
        }
        const decision = typeof answer === 'string' ? answer : answer.decision;
        const level = approval.levels[approval.level_index] ?? approval.levels[0];
        const actorId = typeof answer === 'string' ? 'user:playbook-test' : answer.actor;
        const explicit = typeof answer === 'string' ? undefined : answer.roles;
        const roles = explicit ?? level?.roles ?? ['analyst'];
        const comment = typeof answer === 'string' ? undefined : answer.comment;
        const isRole = (r: string | undefined): r is Role => r !== undefined && (ROLES as readonly string[]).includes(r);
        // An API key holds one role: the approvals service can answer for one of Vigil's roles.
        const role = explicit ? (explicit.length === 1 && isRole(explicit[0]) ? explicit[0] : undefined) : roles.find(isRole);
        try {
          if (role) {
            // Through the approvals service, as `POST /api/v1/approvals/{id}/decision` does.
            const principal = { tenantId, tenantSlug: slug, role, keyId: 'playbook-test', actor: actorId };
            await approvals.decide(principal, { ip: null, userAgent: 'vigil playbook test' }, approval.id, { decision, ...(comment ? { comment } : {}) });
          } else {
            // Roles no API key holds (or several at once): the `decideApproval` Update itself.
            await orchestrator.decideApproval(approval.workflow_id, {
              approvalId: approval.id,
              decision,
              actor: { id: actorId, roles },
              via: 'api',
              ...(comment ? { comment } : {}),
            });
          }
          answered.add(approval.id);
          result.approvals.push({ stepId: approval.step_id, decision });
        } catch (error) {
          // The row can be written before the run registers the approval: try again on the next poll.
          if (error instanceof ApprovalRefusedError && error.refusal === 'unknown_approval') continue;
          throw new Error(`answering approval '${approval.step_id}' failed: ${(error as Error).message}`);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    return false;
  }

  private async runState(workflowId: string): Promise<CaseRunState | undefined> {
    try {
      return await this.client.workflow.getHandle(workflowId).query(runStateQuery);
    } catch {
      return undefined;
    }
  }

  /** One call per step visit (retries share the idempotency key), in call order. */
  private distinctCalls(calls: readonly RecordedCall[]): PlaybookTestCall[] {
    const seen = new Set<string>();
    const out: PlaybookTestCall[] = [];
    for (const call of calls) {
      if (seen.has(call.key)) continue;
      seen.add(call.key);
      out.push({ action: call.action, params: call.params });
    }
    return out;
  }

  private compare(test: PlaybookTest, result: PlaybookTestResult): void {
    const expect = test.expect;
    const failures = result.failures;
    if (expect.runStatus !== undefined && result.runStatus !== expect.runStatus) {
      failures.push(`expected run status ${expect.runStatus}, got ${result.runStatus}${result.error ? ` (${result.error})` : ''}`);
    }
    if (expect.status !== undefined && result.status !== expect.status) failures.push(`expected case status ${expect.status}, got ${result.status}`);
    if (expect.resolution !== undefined && result.resolution !== expect.resolution) failures.push(`expected resolution ${expect.resolution}, got ${result.resolution}`);
    if (expect.steps !== undefined) {
      if (Array.isArray(expect.steps)) {
        if (JSON.stringify(expect.steps) !== JSON.stringify(result.steps))
          failures.push(`expected steps ${describeList(expect.steps)}, the run took ${describeList(result.steps)}`);
      } else {
        for (const id of expect.steps.contains ?? []) if (!result.steps.includes(id)) failures.push(`expected step ${id} to be taken; the run took ${describeList(result.steps)}`);
        for (const id of expect.steps.excludes ?? [])
          if (result.steps.includes(id)) failures.push(`expected step ${id} not to be taken; the run took ${describeList(result.steps)}`);
      }
    }
    if (expect.actions !== undefined) {
      const actual = result.calls;
      const shown = describeList(actual.map((c) => `${c.action} ${JSON.stringify(c.params)}`));
      if (Array.isArray(expect.actions)) {
        const same = expect.actions.length === actual.length && expect.actions.every((e, i) => actionMatches(e, actual[i]!));
        if (!same)
          failures.push(
            `expected actions ${describeList(expect.actions.map((e) => (typeof e === 'string' ? e : `${e.action}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`)))}, the run called ${shown}`,
          );
      } else {
        for (const e of expect.actions.contains ?? []) {
          if (!actual.some((c) => actionMatches(e, c)))
            failures.push(`expected a call of ${expectedKey(e)}${typeof e !== 'string' && e.params ? ` with ${JSON.stringify(e.params)}` : ''}; the run called ${shown}`);
        }
        for (const key of expect.actions.excludes ?? []) if (actual.some((c) => c.action === key)) failures.push(`expected no call of ${key}; the run called ${shown}`);
      }
    }
  }

  /** The playbook under test, validated together with the playbooks of its folder (so sub-playbooks resolve). */
  private async resolvePlaybook(ref: string, dir: string): Promise<{ playbook: Playbook; hash: string; subPlaybooks: Record<string, PinnedPlaybook> }> {
    const byFile = /\.ya?ml$/.test(ref);
    const target = byFile ? path.resolve(dir, ref) : undefined;
    const folder = target ? path.dirname(target) : dir;
    const names = (await readdir(folder)).filter(isPlaybookFileName).sort();
    const sources: PlaybookSource[] = [];
    for (const name of names) sources.push({ file: path.join(folder, name), text: await readFile(path.join(folder, name), 'utf8') });
    // The playbook under test comes first, so it keeps its id if another file claims it too.
    if (target) sources.sort((a, b) => (a.file === target ? -1 : b.file === target ? 1 : 0));
    if (target && !sources.some((s) => s.file === target)) throw new Error(`playbook file ${ref} not found in ${folder}`);
    const set = validatePlaybookSet(sources, actionCatalogForValidation());
    const wanted = (p: LoadedPlaybook | { file: string; playbook?: Playbook }): boolean => (target ? p.file === target : p.playbook?.id === ref);
    const found = set.playbooks.find(wanted);
    if (!found) {
      const errors = set.errors.filter((e) => (target ? e.file === target : true));
      const detail = errors.map((e) => `${e.file}:${e.line}:${e.column} ${e.path} ${e.message}`).join('; ');
      throw new Error(target ? `playbook ${ref} is not valid: ${detail}` : `no valid playbook with id '${ref}' in ${folder}${detail ? ` (${detail})` : ''}`);
    }
    const byId = new Map(set.playbooks.map((p) => [p.playbook.id, p]));
    const subPlaybooks: Record<string, PinnedPlaybook> = {};
    const visit = (p: Playbook): void => {
      const ids = new Set<string>();
      collectSubPlaybookIds(p.steps, ids);
      for (const id of ids) {
        const sub = byId.get(id);
        if (!sub || Object.hasOwn(subPlaybooks, id)) continue;
        subPlaybooks[id] = { playbook: sub.playbook, hash: sub.hash };
        visit(sub.playbook);
      }
    };
    visit(found.playbook);
    return { playbook: found.playbook, hash: found.hash, subPlaybooks };
  }

  /** The alert as ingest would see it: the payload normalised by the source's normaliser. */
  private async resolveAlert(test: PlaybookTest, dir: string): Promise<{ alert: CanonicalAlert; observables: CanonicalObservable[] }> {
    let body: unknown = test.alert;
    if (typeof test.alert === 'string') {
      // `shared:alerts/x.json` names a file of the shared fixtures; anything else is relative to the test file.
      const file = test.alert.startsWith(SHARED_PREFIX)
        ? path.join(this.config.fixturesDir ?? DEFAULT_FIXTURES_DIR, test.alert.slice(SHARED_PREFIX.length))
        : path.resolve(dir, test.alert);
      const text = await readFile(file, 'utf8').catch((error: unknown) => {
        throw new Error(`cannot read the alert file ${test.alert}: ${(error as Error).message}`);
      });
      body = /\.ya?ml$/.test(file) ? (parseYaml(text) as unknown) : (JSON.parse(text) as unknown);
    }
    const normalizer = NORMALIZERS.get(test.source);
    if (!normalizer) throw new Error(`no normaliser for source ${test.source}`);
    const normalized = normalizer.normalize(body, Date.now());
    const item = normalized.alerts[test.alertIndex];
    if (!item) {
      const why = normalized.failures.map((f) => `${f.code}: ${f.message}${f.details ? ` ${JSON.stringify(f.details)}` : ''}`).join('; ');
      throw new Error(`the alert is not a valid ${test.source} alert${why ? `: ${why}` : ` (no alert at index ${test.alertIndex})`}`);
    }
    return { alert: item.alert, observables: item.observables };
  }
}
