/**
 * The threads that validate and convert playbooks for the API. Validating is CPU work proportional to
 * the playbook's size; done on the event loop, one large playbook delays every other request (health
 * checks included) until it is done. One or two threads, created when first needed, each running one
 * task at a time; further tasks wait in order. Closed with the application.
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Playbook } from '../../workflows/language/playbook.types.js';
import { VigilError } from '../common/errors/vigil-error.js';
import { PROJECT_ROOT } from '../config/project-paths.js';
import type { CacaoImportResult } from './cacao/cacao-import.js';
import type { CacaoPlaybook } from './cacao/cacao.types.js';
import type { PlaybookTooLarge, TenantPlaybookSource, TenantValidation } from './validation/index.js';

export type PoolTask =
  | { kind: 'validate'; text: string; file: string; others: TenantPlaybookSource[] }
  | { kind: 'importCacao'; doc: unknown; cacaoIds: Array<[cacaoId: string, playbookId: string]> }
  | { kind: 'exportCacao'; playbook: Playbook; now: string };

export type CacaoImportOutcome = { tooLarge: PlaybookTooLarge } | { tooLarge?: undefined; imported: CacaoImportResult };
export type PoolValue = TenantValidation | CacaoImportOutcome | CacaoPlaybook;
export type PoolAnswer = { ok: true; value: PoolValue } | { ok: false; message: string };

/** The compiled thread script: beside this file when it runs compiled, else in dist/. */
function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return path.join(path.dirname(here), 'validation-worker.js');
  return path.join(PROJECT_ROOT, 'dist', 'src', 'playbooks', 'validation-worker.js');
}

/** Leaves a core for the event loop: one thread on two cores, two from three. */
export const VALIDATION_THREADS = Math.min(2, Math.max(1, availableParallelism() - 1));

interface Job {
  task: PoolTask;
  resolve: (value: PoolValue) => void;
  reject: (error: Error) => void;
}

@Injectable()
export class ValidationPool implements OnModuleDestroy {
  private readonly threads = new Set<Worker>();
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly waiting: Job[] = [];
  private closed = false;

  validate(text: string, file: string, others: TenantPlaybookSource[]): Promise<TenantValidation> {
    return this.run({ kind: 'validate', text, file, others }) as Promise<TenantValidation>;
  }

  importCacao(doc: unknown, cacaoIds: Array<[string, string]>): Promise<CacaoImportOutcome> {
    return this.run({ kind: 'importCacao', doc, cacaoIds }) as Promise<CacaoImportOutcome>;
  }

  exportCacao(playbook: Playbook, now: Date): Promise<CacaoPlaybook> {
    return this.run({ kind: 'exportCacao', playbook, now: now.toISOString() }) as Promise<CacaoPlaybook>;
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    for (const job of this.waiting.splice(0)) job.reject(new VigilError('unavailable', 'Vigil is shutting down'));
    await Promise.all([...this.threads].map((thread) => thread.terminate()));
  }

  private run(task: PoolTask): Promise<PoolValue> {
    if (this.closed) return Promise.reject(new VigilError('unavailable', 'Vigil is shutting down'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ task, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.waiting.length > 0) {
      const thread = this.idle.pop() ?? (this.threads.size < VALIDATION_THREADS ? this.spawn() : undefined);
      if (!thread) return;
      const job = this.waiting.shift()!;
      this.busy.set(thread, job);
      // Only a thread with work keeps the process alive.
      thread.ref();
      thread.postMessage(job.task);
    }
  }

  private spawn(): Worker {
    const thread = new Worker(workerFile());
    this.threads.add(thread);
    thread.on('message', (answer: PoolAnswer) => {
      const job = this.busy.get(thread);
      this.busy.delete(thread);
      thread.unref();
      this.idle.push(thread);
      if (job) {
        if (answer.ok) job.resolve(answer.value);
        else job.reject(new VigilError('internal', `playbook validation failed: ${answer.message}`));
      }
      this.dispatch();
    });
    const lost = (error: Error): void => {
      if (!this.threads.delete(thread)) return;
      const at = this.idle.indexOf(thread);
      if (at >= 0) this.idle.splice(at, 1);
      const job = this.busy.get(thread);
      this.busy.delete(thread);
      job?.reject(error);
      if (!this.closed) this.dispatch();
    };
    thread.on('error', (error) => lost(error));
    thread.on('exit', (code) => lost(new VigilError('internal', `the playbook validation thread stopped (exit code ${code})`)));
    return thread;
  }
}
