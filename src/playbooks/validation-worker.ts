/**
 * A validation thread (see validation-pool.ts): runs one playbook task at a time for the API, so
 * parsing and checking a large playbook never holds the event loop that answers other requests.
 */
import { parentPort } from 'node:worker_threads';
import { actionCatalogForValidation } from './action-catalog-view.js';
import { exportCacao } from './cacao/cacao-export.js';
import { checkCacaoBounds, importCacao } from './cacao/cacao-import.js';
import type { PoolAnswer, PoolTask, PoolValue } from './validation-pool.js';
import { validateForTenant } from './validation/index.js';

function run(task: PoolTask): PoolValue {
  switch (task.kind) {
    case 'validate':
      return validateForTenant(task.text, task.file, task.others, actionCatalogForValidation());
    case 'importCacao': {
      const tooLarge = checkCacaoBounds(task.doc);
      if (tooLarge) return { tooLarge };
      const ids = new Map(task.cacaoIds);
      return { imported: importCacao(task.doc, { resolvePlaybookId: (cacaoId) => ids.get(cacaoId) }) };
    }
    case 'exportCacao':
      return exportCacao(task.playbook, { now: new Date(task.now) });
  }
}

parentPort?.on('message', (task: PoolTask) => {
  let answer: PoolAnswer;
  try {
    answer = { ok: true, value: run(task) };
  } catch (error) {
    answer = { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(answer);
});
