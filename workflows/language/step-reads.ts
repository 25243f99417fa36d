/**
 * What each step's templates read, computed once when a run is pinned (PlaybookLibraryService.pinRun) and
 * pinned with it, so the workflow slices the scope for an activity without scanning handlebars.
 * Expressions are not in it: the interpreter parses them anyway and reads their paths off the AST.
 */
import { DEFAULT_ITEM_NAME } from './expression.js';
import type { Step } from './playbook.types.js';
import { mergeNeeds, type ScopeNeeds, stringsOf, templateNeeds } from './scope-reads.js';
import { stepLists, stepTemplates } from './step-model.js';
import { isTemplateFile } from './template-files.js';

/** A step's reads as JSON (workflow inputs are JSON): `all`, or the scope paths (see ScopeNeeds). */
export type PinnedNeeds = 'all' | string[];

/** What each step's templates read, by step id, nested steps included. */
export type PinnedReads = Record<string, PinnedNeeds>;

/** The roots of every scope a playbook's steps run in (a foreach item adds its name). */
const RUN_ROOTS: readonly string[] = ['alert', 'case', 'observables', 'inputs', 'steps', 'vars'];

/**
 * Every root a step of `steps` may see. A root that is not in the scope a step runs in is never
 * sliced from it, so these give the same slice as the roots of that scope.
 */
export function readRoots(steps: readonly Step[]): string[] {
  const roots = new Set(RUN_ROOTS);
  const visit = (list: readonly Step[]): void => {
    for (const step of list) {
      if (step.kind === 'foreach') roots.add(step.as ?? DEFAULT_ITEM_NAME);
      for (const nested of stepLists(step)) visit(nested.steps);
    }
  };
  visit(steps);
  return [...roots];
}

/**
 * What one step's templates read: `with`, a notify template (all of the scope for a template file,
 * which only the activity reads), an approval's question and the parameters of the step it guards,
 * an end step's summary.
 */
export function stepReads(step: Step, stepById: (id: string) => Step | undefined, roots: readonly string[]): ScopeNeeds {
  const parts: ScopeNeeds[] = stepTemplates(step).map((text) => templateNeeds(text.value, roots));
  if (step.kind === 'notify' && isTemplateFile(step.template)) parts.push('all');
  if (step.kind === 'approval' && step.guards !== undefined) {
    const guard = stepById(step.guards);
    if (guard?.kind === 'action') for (const text of stringsOf(guard.with)) parts.push(templateNeeds(text, roots));
  }
  return mergeNeeds(parts);
}

export function pinnedNeeds(needs: ScopeNeeds): PinnedNeeds {
  return needs === 'all' ? 'all' : [...needs];
}

export function unpinnedNeeds(needs: PinnedNeeds): ScopeNeeds {
  return needs === 'all' ? 'all' : new Set(needs);
}

/** What every step of a playbook reads, as pinned with its run. */
export function pinnedReadsOf(steps: readonly Step[]): PinnedReads {
  const byId = new Map<string, Step>();
  const index = (list: readonly Step[]): void => {
    for (const step of list) {
      byId.set(step.id, step);
      for (const nested of stepLists(step)) index(nested.steps);
    }
  };
  index(steps);
  const roots = readRoots(steps);
  const reads: PinnedReads = {};
  for (const [id, step] of byId) reads[id] = pinnedNeeds(stepReads(step, (guard) => byId.get(guard), roots));
  return reads;
}
