/**
 * Pass 3, what a well-shaped playbook means: unique step ids, inputs and their defaults, each kind's
 * own rules, actions and their parameters against the integration catalogue, and the templates and
 * expressions a step holds (read through the step model) with the names they read.
 */
import { z } from 'zod';
import { parseDuration } from '../../../workflows/language/duration.js';
import { checkExpression, collectPaths, DEFAULT_ITEM_NAME, EXPRESSION_ROOTS, parseExpression } from '../../../workflows/language/expression.js';
import type { Playbook, PlaybookInput } from '../../../workflows/language/playbook.types.js';
import { stepExpressions, stepTemplates } from '../../../workflows/language/step-model.js';
import { collectTemplatePaths, compileCheck } from '../../templating/index.js';
import { checkFlow, checkRoutes } from './flow-graph.js';
import { formatPath, type Problems } from './playbook-errors.js';
import { buildIndex, type Index, type StepInfo } from './playbook-index.js';
import { didYouMean } from './schema-wording.js';
import type { DataPath, PathSegment, SourceMap } from './yaml-source-map.js';

/** The integration catalogue as the validator needs it: an action's input schema and kind, by key. */
export interface PlaybookActionCatalog {
  get(key: string): { input: z.ZodType; kind: string } | undefined;
  /** Every key, to suggest one when a playbook names an unknown action. Optional. */
  keys?(): Iterable<string>;
}

function isTemplate(value: string): boolean {
  return value.includes('{{');
}

function containsTemplate(value: unknown): boolean {
  if (typeof value === 'string') return isTemplate(value);
  if (Array.isArray(value)) return value.some(containsTemplate);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(containsTemplate);
  return false;
}

export function checkMeaning(playbook: Playbook, catalog: PlaybookActionCatalog, map: SourceMap, problems: Problems): void {
  const index = buildIndex(playbook);
  checkInputs(playbook.inputs ?? [], problems);
  checkStepIds(index, map, problems);
  for (const info of index.steps) {
    checkRoutes(info, index, problems);
    checkStep(info, playbook, index, problems);
    if (info.step.kind === 'action') checkAction(info, info.step.action, info.step.with, catalog, map, problems);
    if (info.step.kind === 'action' && info.step.expiresIn !== undefined && catalog.get(info.step.action) && catalog.get(info.step.action)?.kind !== 'containment') {
      problems.add(
        'invalid_step',
        [...info.path, 'expiresIn'],
        `expiresIn applies to containment actions only; ${info.step.action} is ${catalog.get(info.step.action)?.kind} and has nothing to undo`,
      );
    }
    checkTemplates(info, index, problems);
    checkExpressions(info, index, map, problems);
  }
  for (const list of index.lists) checkFlow(list, problems);
}

function checkInputs(inputs: PlaybookInput[], problems: Problems): void {
  const seen = new Set<string>();
  inputs.forEach((input, i) => {
    if (seen.has(input.name)) problems.add('invalid_input', ['inputs', i, 'name'], `input '${input.name}' is declared twice`);
    seen.add(input.name);
    if (input.default === undefined) return;
    const value = input.default;
    const fits = input.type === 'list' ? Array.isArray(value) : input.type === 'number' ? typeof value === 'number' : typeof value === input.type;
    if (!fits) problems.add('invalid_input', ['inputs', i, 'default'], `the default of input '${input.name}' is not a ${input.type}`);
  });
}

function checkStepIds(index: Index, map: SourceMap, problems: Problems): void {
  const first = new Map<string, StepInfo>();
  for (const info of index.steps) {
    const earlier = first.get(info.step.id);
    if (!earlier) {
      first.set(info.step.id, info);
      continue;
    }
    const { line } = map.locate([...earlier.path, 'id']);
    problems.add(
      'duplicate_step_id',
      [...info.path, 'id'],
      `step id '${info.step.id}' is already used by ${formatPath(earlier.path)} (line ${line}); step ids are unique across the playbook`,
    );
  }
}

function checkStep(info: StepInfo, playbook: Playbook, index: Index, problems: Problems): void {
  const { step, path: at } = info;
  if (step.retry?.initialInterval !== undefined && step.retry.maxInterval !== undefined) {
    const initial = parseDuration(step.retry.initialInterval);
    const max = parseDuration(step.retry.maxInterval);
    if (initial !== undefined && max !== undefined && initial > max) {
      problems.add('invalid_step', [...at, 'retry', 'maxInterval'], 'retry maxInterval is shorter than initialInterval');
    }
  }
  switch (step.kind) {
    case 'wait':
      if (step.duration === undefined && step.until === undefined) problems.add('invalid_step', [...at, 'kind'], 'a wait step needs duration, until, or both');
      break;
    case 'approval':
      if (step.guards !== undefined) {
        const guarded = index.byId.get(step.guards);
        if (!guarded) problems.add('invalid_step', [...at, 'guards'], `guards names no step '${step.guards}'${didYouMean(step.guards, index.byId.keys())}`);
        else if (guarded.step.kind !== 'action')
          problems.add('invalid_step', [...at, 'guards'], `guards must name an action step; '${step.guards}' is a ${guarded.step.kind} step`);
      }
      break;
    case 'foreach': {
      const name = step.as ?? DEFAULT_ITEM_NAME;
      if ((EXPRESSION_ROOTS as readonly string[]).includes(name) || info.itemNames.includes(name)) {
        problems.add('invalid_step', [...at, 'as'], `'${name}' is already a name in scope; choose another name for the item`);
      }
      break;
    }
    case 'playbook':
      if (step.playbook === playbook.id) problems.add('playbook_cycle', [...at, 'playbook'], 'a playbook cannot run itself');
      break;
    default:
      break;
  }
}

// ---------------------------------------------------------------------------------------------
// Actions

function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  if (schema instanceof z.ZodObject) return schema.shape as Record<string, z.ZodType>;
  if (schema instanceof z.ZodPipe) return objectShape(schema.in as z.ZodType);
  return undefined;
}

function checkAction(info: StepInfo, key: string, params: Record<string, unknown> | undefined, catalog: PlaybookActionCatalog, map: SourceMap, problems: Problems): void {
  const action = catalog.get(key);
  if (!action) {
    problems.add('unknown_action', [...info.path, 'action'], `no action '${key}' in the integration catalogue${catalog.keys ? didYouMean(key, catalog.keys()) : ''}`);
    return;
  }
  const given = params ?? {};
  const paramsPath = params === undefined ? [...info.path, 'action'] : [...info.path, 'with'];
  const shape = objectShape(action.input);
  if (!shape) {
    // Not an object schema: only a template-free value can be checked, and only as a whole.
    if (!containsTemplate(given)) reportParamIssues(action.input.safeParse(given), [...info.path, 'with'], key, problems);
    return;
  }
  const before = problems.errors.length;
  const names = Object.keys(shape);
  for (const name of names) {
    if (!Object.hasOwn(given, name) && !shape[name].safeParse(undefined).success) {
      problems.add('invalid_action_params', paramsPath, `missing parameter '${name}' for ${key}`);
    }
  }
  for (const [name, value] of Object.entries(given)) {
    const at = [...info.path, 'with', name];
    const field = shape[name];
    if (!field) {
      problems.add('invalid_action_params', at, `unknown parameter '${name}' for ${key} (its parameters are ${names.join(', ')})${didYouMean(name, names)}`, map.locate(at, true));
      continue;
    }
    if (!containsTemplate(value)) reportParamIssues(field.safeParse(value), at, key, problems);
  }
  // Object-level rules (refinements across fields) can only be checked when nothing is templated.
  if (problems.errors.length === before && !containsTemplate(given)) reportParamIssues(action.input.safeParse(given), [...info.path, 'with'], key, problems);
}

function reportParamIssues(result: { success: boolean; error?: z.ZodError }, at: DataPath, key: string, problems: Problems): void {
  if (result.success || !result.error) return;
  for (const issue of result.error.issues) {
    const segments = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
    problems.add('invalid_action_params', [...at, ...segments], `invalid parameter for ${key}: ${issue.message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Templates and expressions, and the names they read

/** Checks the names a template or expression reads: roots in scope, and the steps, vars and inputs it names. */
function checkNames(paths: string[][], info: StepInfo, index: Index, at: DataPath, what: string, problems: Problems): void {
  const roots = [...EXPRESSION_ROOTS, ...info.itemNames];
  const reported = new Set<string>();
  for (const [root, name] of paths) {
    if (!roots.includes(root)) {
      if (reported.has(root)) continue;
      reported.add(root);
      const message =
        root === DEFAULT_ITEM_NAME
          ? `'${root}' is only defined inside a foreach body`
          : `${what} reads '${root}', which is not defined (the names are ${roots.join(', ')})${didYouMean(root, roots)}`;
      problems.add('unknown_identifier', at, message);
      continue;
    }
    if (name === undefined) continue;
    if (root === 'steps' && !index.byId.has(name)) {
      problems.add('unknown_step_reference', at, `${what} reads steps.${name}, but there is no step '${name}'${didYouMean(name, index.byId.keys())}`);
    } else if (root === 'vars' && !index.vars.has(name)) {
      problems.add('unknown_variable', at, `${what} reads vars.${name}, but no set step or action output defines '${name}'${didYouMean(name, index.vars)}`);
    } else if (root === 'inputs' && !index.inputs.has(name)) {
      problems.add('unknown_input', at, `${what} reads inputs.${name}, but the playbook declares no input '${name}'${didYouMean(name, index.inputs)}`);
    }
  }
}

function checkTemplates(info: StepInfo, index: Index, problems: Problems): void {
  for (const text of stepTemplates(info.step)) {
    if (!isTemplate(text.value)) continue;
    const at = [...info.path, ...text.field];
    const problem = compileCheck(text.value);
    if (problem) {
      const where = problem.line !== undefined && problem.line > 1 && !problem.message.includes(' on line ') ? ` (template line ${problem.line})` : '';
      problems.add('invalid_template', at, `template: ${problem.message}${where}`);
      continue;
    }
    checkNames(collectTemplatePaths(text.value), info, index, at, 'template', problems);
  }
}

function checkExpressions(info: StepInfo, index: Index, map: SourceMap, problems: Problems): void {
  for (const text of stepExpressions(info.step)) {
    const at = [...info.path, ...text.field];
    const problem = checkExpression(text.value);
    if (problem) {
      problems.add('invalid_expression', at, `expression: ${problem.message} (at character ${problem.position + 1})`, map.locateInScalar(at, problem.position));
      continue;
    }
    checkNames(collectPaths(parseExpression(text.value)), info, index, at, 'expression', problems);
  }
}
