import path from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { DefaultLogger, type LogLevel, NativeConnection, Runtime, Worker, type WorkerOptions, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ActionRunner } from '../activities/action-runner.js';
import { createCaseActivities } from '../activities/case-activities.js';
import { createRevertActivities } from '../activities/revert-activities.js';
import { createSlaActivities } from '../activities/sla-activities.js';
import { SlaClockService } from '../sla/sla-clock.service.js';
import { ContainmentLedgerRepository } from '../integration-runtime/containment-ledger.repository.js';
import { ApprovalsRepository } from '../approvals/approvals.repository.js';
import { CaseRunsService } from '../cases/case-runs.service.js';
import { setTemporalExporterPort } from '../common/metrics/vigil-metrics.js';
import type { AppConfig } from '../config/config.schema.js';
import { BUNDLED_PLAYBOOKS_DIR, PROJECT_ROOT } from '../config/project-paths.js';
import { TimelineRepository } from '../timeline/timeline.repository.js';

/** The compiled workflows entry (dist/workflows/index.js). */
export const WORKFLOWS_ENTRY = path.join(PROJECT_ROOT, 'dist', 'workflows', 'index.js');

/** Bundles the workflow code once; tests hand the bundle to every worker they create. */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY, logger: undefined });
}

export interface VigilWorkerOptions {
  config: AppConfig;
  app: INestApplicationContext;
  /** A prebuilt workflow bundle (tests bundle once per run); without it the worker bundles at start. */
  workflowBundle?: { code: string } | { codePath: string };
  /** Override the task queue (tests give each file its own). */
  taskQueue?: string;
}

const SDK_LEVELS: Record<AppConfig['logLevel'], LogLevel> = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' };
let runtimeInstalled = false;

/**
 * The SDK logs as JSON lines like the rest of Vigil, at Vigil's level. Once per process. With
 * `VIGIL_TEMPORAL_METRICS_PORT`, the SDK's Prometheus exporter listens on that loopback port and this
 * process's `/metrics` appends its series (workflow task latency, activity failures, slots).
 */
function installRuntime(config: AppConfig): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const level = config.logLevel;
  const port = config.metrics.temporalPort;
  if (port !== undefined) setTemporalExporterPort(port);
  Runtime.install({
    ...(port === undefined
      ? {}
      : { telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${port}`, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true } } } }),
    logger: new DefaultLogger(SDK_LEVELS[level], (entry) => {
      const line = {
        timestamp: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(),
        level: entry.level.toLowerCase(),
        context: 'Temporal',
        message: entry.message,
        ...entry.meta,
      };
      process.stderr.write(`${JSON.stringify(line)}\n`);
    }),
  });
}

/** A Temporal worker whose activities get Vigil's services from the Nest application context. */
export async function createVigilWorker(options: VigilWorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  const { config, app } = options;
  installRuntime(config);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const activities = createCaseActivities({
    runs: app.get(CaseRunsService),
    actions: app.get(ActionRunner),
    approvals: app.get(ApprovalsRepository),
    templatesDir: path.join(config.playbooksDir ?? BUNDLED_PLAYBOOKS_DIR, 'templates'),
  });
  const workerOptions: WorkerOptions = {
    connection,
    namespace: config.temporal.namespace,
    taskQueue: options.taskQueue ?? config.temporal.taskQueue,
    activities: {
      ...activities,
      ...createRevertActivities({ timeline: app.get(TimelineRepository), ledger: app.get(ContainmentLedgerRepository), actions: app.get(ActionRunner) }),
      ...createSlaActivities({ clocks: app.get(SlaClockService), actions: app.get(ActionRunner) }),
    },
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_ENTRY }),
    maxConcurrentLocalActivityExecutions: config.worker.maxLocalActivities,
    maxConcurrentActivityTaskExecutions: config.worker.maxActivities,
    maxConcurrentWorkflowTaskExecutions: config.worker.maxWorkflowTasks,
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
    stickyQueueScheduleToStartTimeout: config.worker.stickyTimeoutMs,
    // In-flight activities get this long to finish when the worker is asked to stop.
    shutdownGraceTime: '10s',
  };
  const worker = await Worker.create(workerOptions);
  return { worker, connection };
}
