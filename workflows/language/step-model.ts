import type { Step } from './playbook.types.js';
import { isTemplateFile } from './template-files.js';

/**
 * The one description of what each step kind contains: the step lists nested in it, the routes it
 * declares, and the expressions and templates it holds, each with the field that holds it. The
 * validator, the CACAO export and the interpreter read steps through these functions, so a new step
 * kind is described here once (and run by its one runner in workflows/interpreter/).
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
