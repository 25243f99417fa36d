/**
 * The engine benchmark's baseline worker: a plain Temporal worker for `engineBaselineWorkflow`, whose
 * `lookup` activity calls Vigil's action runner (same connection, limiter and vendor call as a Vigil
 * action step) and writes nothing else. Runs inside Vigil's worker module so the runner has its services.
 * Usage: node dist/bench/engine-baseline-worker.js <task queue>   (configuration from the environment)
 */
import 'reflect-metadata';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NestFactory } from '@nestjs/core';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { ActionRunner } from '../src/activities/action-runner.js';
import { loadConfig } from '../src/config/config.schema.js';
import { WorkerModule } from '../src/composition/worker.module.js';
import type { EngineBaselineActivities } from './engine-baseline.workflow.js';

async function main(): Promise<void> {
  const taskQueue = process.argv[2];
  if (!taskQueue) throw new Error('usage: engine-baseline-worker <task queue>');
  const config = loadConfig(process.env);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: ['error'] });
  const runner = app.get(ActionRunner);
  const activities: EngineBaselineActivities = {
    async lookup({ tenantId, ip, idempotencyKey }) {
      const result = await runner.run({ tenantId, action: 'abuseipdb.check_ip', params: { ip }, scope: {}, idempotencyKey });
      return result.output;
    },
    async noop() {
      // Nothing: the floor.
    },
  };
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue,
    workflowsPath: path.join(path.dirname(fileURLToPath(import.meta.url)), 'engine-baseline.workflow.js'),
    activities,
    maxConcurrentLocalActivityExecutions: config.worker.maxLocalActivities,
    maxConcurrentActivityTaskExecutions: config.worker.maxActivities,
    maxConcurrentWorkflowTaskExecutions: config.worker.maxWorkflowTasks,
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
    stickyQueueScheduleToStartTimeout: config.worker.stickyTimeoutMs,
  });
  process.once('SIGTERM', () => worker.shutdown());
  process.once('SIGINT', () => worker.shutdown());
  const running = worker.run();
  process.stdout.write('ready\n');
  await running;
  await connection.close();
  await app.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`engine-baseline-worker: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
