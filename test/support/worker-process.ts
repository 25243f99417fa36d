import { type ChildProcess, spawn, type StdioOptions } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config/project-paths.js';
import type { TestStack } from './stack.js';

/** A Vigil worker in a process of its own (`node dist/src/main.js worker`) on the stack's task queue, so a test can kill it. */
export function startWorkerProcess(stack: TestStack, playbooksDir: string, stdio: StdioOptions = ['ignore', 'ignore', 'inherit']): ChildProcess {
  return spawn(process.execPath, [path.join(PROJECT_ROOT, 'dist', 'src', 'main.js'), 'worker'], {
    env: {
      ...process.env,
      VIGIL_TASK_QUEUE: stack.config.temporal.taskQueue,
      VIGIL_SIMULATOR_URL: stack.simulatorUrl,
      VIGIL_PLAYBOOKS_DIR: playbooksDir,
      VIGIL_STICKY_TIMEOUT_MS: '1000',
      VIGIL_LOG_LEVEL: 'error',
    },
    stdio,
  });
}
