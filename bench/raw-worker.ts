/**
 * A worker for the ingest benchmark's baseline: runs `trivialWorkflow` on its own task queue, so the
 * raw `workflow.start` phase has a worker draining its workflow tasks like Vigil's phases do.
 * Usage: node dist/bench/raw-worker.js <temporal address> <task queue>
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Runtime, DefaultLogger, Worker } from '@temporalio/worker';

async function main(): Promise<void> {
  const [address, taskQueue] = process.argv.slice(2);
  if (!address || !taskQueue) throw new Error('usage: raw-worker <address> <task queue>');
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowsPath: path.join(path.dirname(fileURLToPath(import.meta.url)), 'trivial.workflow.js'),
    maxConcurrentWorkflowTaskExecutions: 40,
  });
  process.once('SIGTERM', () => worker.shutdown());
  process.once('SIGINT', () => worker.shutdown());
  process.stdout.write('ready\n');
  await worker.run();
  await connection.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`raw-worker: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
