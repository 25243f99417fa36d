import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isTemplateFile } from '../../workflows/language/template-files.js';
import type { Step } from '../../workflows/language/playbook.types.js';

/** Template file names (under the playbooks' `templates/` folder) that notify steps of `steps` name. */
export function notifyTemplateFiles(steps: readonly Step[], into: Set<string> = new Set()): Set<string> {
  for (const step of steps) {
    if (step.kind === 'notify' && isTemplateFile(step.template)) into.add(step.template);
    if (step.kind === 'parallel') for (const branch of step.branches) notifyTemplateFiles(branch, into);
    if (step.kind === 'foreach' || step.kind === 'loop') notifyTemplateFiles(step.steps, into);
  }
  return into;
}

/** Reads a template file by name, refusing any name that leaves `dir`. Throws an Error that says why. */
export async function readTemplateFile(dir: string, name: string): Promise<string> {
  const root = path.resolve(dir);
  const file = path.resolve(root, name);
  if (!file.startsWith(root + path.sep)) throw new Error(`template ${name} is outside the templates folder`);
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`template file ${name} cannot be read: ${(error as Error).message}`);
  }
}

/**
 * The template files a run's notify steps use, read now so the run keeps them (editing a template
 * never changes a run in flight, like editing its playbook). A file that cannot be read is left out:
 * the step then reads it when it sends and fails with the reason.
 */
export async function pinTemplateFiles(dir: string, stepLists: ReadonlyArray<readonly Step[]>): Promise<Record<string, string>> {
  const names = new Set<string>();
  for (const steps of stepLists) notifyTemplateFiles(steps, names);
  const pinned: Record<string, string> = {};
  for (const name of [...names].sort()) {
    try {
      pinned[name] = await readTemplateFile(dir, name);
    } catch {
      // Reported by the step that needs it.
    }
  }
  return pinned;
}
