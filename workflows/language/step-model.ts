import type { Step } from './playbook.types.js';
import { isTemplateFile } from './template-files.js';

/**
 * The one description of what each step kind contains: the step lists nested in it, the routes it
 * declares, where control can go after it, and the expressions and templates it holds, each with the
 * field that holds it. The validator, the CACAO export and the interpreter read steps through these
 * functions, so a new step kind is described here once (and run by its one runner in
 * workflows/interpreter/).
 */

/** A field inside a step: `['with', 'url']`, `['cases', 'high']`, `['branches', 0]`. */
export type StepField = readonly (string | number)[];

export interface StepRoute {
  field: StepField;
  /** A step id in the same list. */
  target: string;
}

export interface StepText {
  field: StepField;
  value: string;
}

export interface StepList {
  field: StepField;
  steps: readonly Step[];
}

/** The step lists a step contains: `parallel` branches, `foreach` and `loop` bodies. */
export function stepLists(step: Step): StepList[] {
  switch (step.kind) {
    case 'parallel':
      return step.branches.map((steps, i) => ({ field: ['branches', i], steps }));
    case 'foreach':
    case 'loop':
      return [{ field: ['steps'], steps: step.steps }];
    default:
      return [];
  }
}

/** Every step id in a list, nested lists included, in document order. */
export function stepIdsIn(list: readonly Step[], into: string[] = []): string[] {
  for (const step of list) {
    into.push(step.id);
    for (const nested of stepLists(step)) stepIdsIn(nested.steps, into);
  }
  return into;
}

/** Every explicit route a step declares (`next`, `onFailure.goto` and the kind's own targets). */
export function stepRoutes(step: Step): StepRoute[] {
  const routes: StepRoute[] = [];
  if (step.next !== undefined) routes.push({ field: ['next'], target: step.next });
  if (typeof step.onFailure === 'object') routes.push({ field: ['onFailure', 'goto'], target: step.onFailure.goto });
  switch (step.kind) {
    case 'condition':
      routes.push({ field: ['then'], target: step.then });
      if (step.else !== undefined) routes.push({ field: ['else'], target: step.else });
      break;
    case 'switch':
      for (const [value, target] of Object.entries(step.cases)) routes.push({ field: ['cases', value], target });
      if (step.default !== undefined) routes.push({ field: ['default'], target: step.default });
      break;
    case 'approval':
      if (step.onApprove !== undefined) routes.push({ field: ['onApprove'], target: step.onApprove });
      if (step.onReject !== undefined) routes.push({ field: ['onReject'], target: step.onReject });
      break;
    default:
      break;
  }
  return routes;
}

/** Where control can go after a step: a route to a step of the same list, or the step that follows it. */
export type StepExit = StepRoute | 'following';

/**
 * Every way control can leave a step, in the order the validator reports them. A step that does not
 * route goes on with its `next`, else the following step; so does a step skipped by its `when`, a
 * condition without `else`, a switch without `default`, and an approval without `onApprove` or
 * `onReject`. `onFailure: continue` goes on with the following step (not `next`), `onFailure.goto`
 * to its target. An `end` step goes nowhere. Targets are not resolved: one may name no step.
 */
export function stepExits(step: Step): StepExit[] {
  const exits: StepExit[] = [];
  const continuation = (): void => {
    exits.push(step.next !== undefined ? { field: ['next'], target: step.next } : 'following');
  };
  if (step.when !== undefined) continuation();
  switch (step.kind) {
    case 'end':
      break;
    case 'condition':
      exits.push({ field: ['then'], target: step.then });
      if (step.else !== undefined) exits.push({ field: ['else'], target: step.else });
      else continuation();
      break;
    case 'switch':
      for (const [value, target] of Object.entries(step.cases)) exits.push({ field: ['cases', value], target });
      if (step.default !== undefined) exits.push({ field: ['default'], target: step.default });
      else continuation();
      break;
    case 'approval':
      if (step.onApprove !== undefined) exits.push({ field: ['onApprove'], target: step.onApprove });
      else continuation();
      if (step.onReject !== undefined) exits.push({ field: ['onReject'], target: step.onReject });
      else continuation();
      break;
    default:
      continuation();
  }
  if (step.onFailure === 'continue') exits.push('following');
  else if (typeof step.onFailure === 'object') exits.push({ field: ['onFailure', 'goto'], target: step.onFailure.goto });
  return exits;
}

function stringsIn(value: unknown, field: StepField, into: StepText[]): void {
  if (typeof value === 'string') into.push({ field, value });
  else if (Array.isArray(value)) value.forEach((item, i) => stringsIn(item, [...field, i], into));
  else if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) stringsIn(item, [...field, key], into);
}

/** The handlebars templates a step holds (its own, not those of nested steps). */
export function stepTemplates(step: Step): StepText[] {
  const texts: StepText[] = [];
  switch (step.kind) {
    case 'action':
      stringsIn(step.with, ['with'], texts);
      break;
    case 'notify':
      if (!isTemplateFile(step.template)) texts.push({ field: ['template'], value: step.template });
      stringsIn(step.with, ['with'], texts);
      break;
    case 'approval':
      texts.push({ field: ['question'], value: step.question });
      break;
    case 'end':
      if (step.summary !== undefined) texts.push({ field: ['summary'], value: step.summary });
      break;
    default:
      break;
  }
  return texts;
}

/** The expressions a step holds (its own `when` included, not those of nested steps). */
export function stepExpressions(step: Step): StepText[] {
  const texts: StepText[] = [];
  if (step.when !== undefined) texts.push({ field: ['when'], value: step.when });
  const record = (field: string, values: Record<string, string> | undefined): void => {
    for (const [key, value] of Object.entries(values ?? {})) texts.push({ field: [field, key], value });
  };
  switch (step.kind) {
    case 'condition':
      texts.push({ field: ['if'], value: step.if });
      break;
    case 'switch':
      texts.push({ field: ['on'], value: step.on });
      break;
    case 'foreach':
      texts.push({ field: ['items'], value: step.items });
      break;
    case 'loop':
      texts.push({ field: ['while'], value: step.while });
      break;
    case 'approval':
      record('context', step.context);
      break;
    case 'set':
      record('vars', step.vars);
      break;
    case 'playbook':
      record('inputs', step.inputs);
      break;
    default:
      break;
  }
  return texts;
}
