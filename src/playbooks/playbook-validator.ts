/**
 * Validates playbook YAML before Vigil runs it, in three passes, each error naming file, line,
 * column and path (`steps[2].with.ip`):
 * 1. YAML syntax;
 * 2. shape, against the zod schema in playbook.schema.ts;
 * 3. meaning: unique step ids, route targets in the same list, no unreachable step, no route cycle,
 *    actions and their parameters against the integration catalogue, templates, expressions and the
 *    names they read.
 * A valid playbook comes back typed, with the sha256 of its canonical JSON: the pin a case keeps.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar, type Document, type Node as YamlNode, type Pair } from 'yaml';
import { z } from 'zod';
import { checkExpression, collectPaths, DEFAULT_ITEM_NAME, EXPRESSION_ROOTS, parseExpression } from '../../workflows/language/expression.js';
import { isTemplateFile } from '../../workflows/language/template-files.js';
import type { Playbook, PlaybookInput, Step } from '../../workflows/language/playbook.types.js';
import { collectTemplatePaths, compileCheck } from '../templating/template-renderer.js';
import {
  approvalLevelSchema,
  playbookInputSchema,
  playbookSchema,
  retrySchema,
  STEP_KINDS,
  stepSchemasByKind,
  triggerSchema,
} from './playbook.schema.js';

// ---------------------------------------------------------------------------------------------
// Public types

/** The integration catalogue as the validator needs it: an action's input schema and kind, by key. */
export interface PlaybookActionCatalog {
  get(key: string): { input: z.ZodType; kind: string } | undefined;
  /** Every key, to suggest one when a playbook names an unknown action. Optional. */
  keys?(): Iterable<string>;
}

export type PlaybookErrorCode =
  | 'io_error'
  | 'yaml_syntax'
  | 'schema'
  | 'duplicate_step_id'
  | 'unknown_route_target'
  | 'route_out_of_scope'
  | 'unreachable_step'
  | 'route_cycle'
  | 'unknown_action'
  | 'invalid_action_params'
  | 'invalid_template'
  | 'invalid_expression'
  | 'unknown_identifier'
  | 'unknown_step_reference'
  | 'unknown_variable'
  | 'unknown_input'
  | 'invalid_step'
  | 'invalid_input'
  | 'duplicate_playbook_id'
  | 'unknown_playbook'
  | 'missing_input'
  | 'playbook_cycle';

export interface PlaybookError {
  file: string;
  /** 1-based; 0 when the error concerns the whole file (it could not be read). */
  line: number;
  /** 1-based. */
  column: number;
  /** Where in the playbook, e.g. `steps[2].with.ip`; empty for the whole document. */
  path: string;
  code: PlaybookErrorCode;
  message: string;
}

export type PlaybookValidation = { ok: true; playbook: Playbook; hash: string } | { ok: false; errors: PlaybookError[] };

export interface LoadedPlaybook {
  file: string;
  playbook: Playbook;
  hash: string;
}

export interface PlaybookDirectory {
  playbooks: LoadedPlaybook[];
  errors: PlaybookError[];
}

export const MAX_PLAYBOOK_BYTES = 1024 * 1024;

type PathSegment = string | number;
type DataPath = readonly PathSegment[];

// ---------------------------------------------------------------------------------------------
// Small helpers

/** `['steps', 2, 'with', 'ip']` → `steps[2].with.ip`. */
export function formatPath(segments: DataPath): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** JSON with object keys sorted at every level and no whitespace: equal content, equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  const record = value as Record<string, unknown>;
  const entries = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
  return `{${entries.join(',')}}`;
}

/** The pin a case keeps: sha256 (hex) of the playbook's canonical JSON. */
export function playbookHash(playbook: Playbook): string {
  return createHash('sha256').update(canonicalJson(playbook)).digest('hex');
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = previous[j];
      previous[j] = Math.min(previous[j] + 1, previous[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length];
}

/** `; did you mean 'x'?` when a candidate is close enough to be a likely typo, else ''. */
function didYouMean(word: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // Short names are too close to everything to suggest anything useful.
  const threshold = word.length <= 2 ? 0 : Math.max(1, Math.floor(word.length / 3));
  return best !== undefined && bestDistance <= threshold ? `; did you mean '${best}'?` : '';
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

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function durationMs(text: string): number | undefined {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  return match ? Number(match[1]) * DURATION_UNITS[match[2]] : undefined;
}

// ---------------------------------------------------------------------------------------------
// Locating data paths in the YAML source

class SourceMap {
  constructor(
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    readonly file: string,
    private readonly text: string,
  ) {}

  position(offset: number): { line: number; column: number } {
    const { line, col } = this.lines.linePos(offset);
    return { line: Math.max(line, 1), column: Math.max(col, 1) };
  }

  /**
   * The node at a data path (or, with `key`, the key naming its last segment). When the path does not
   * exist (a missing field), the deepest node that does.
   */
  find(segments: DataPath, key = false): YamlNode | undefined {
    let node: unknown = this.doc.contents;
    let keyNode: unknown;
    for (const segment of segments) {
      if (isMap(node)) {
        const pair = node.items.find((item: Pair) => isScalar(item.key) && String(item.key.value) === String(segment));
        if (!pair) return node;
        keyNode = pair.key;
        node = pair.value ?? pair.key;
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
        keyNode = undefined;
        node = node.items[segment];
      } else {
        return isScalar(node) || isMap(node) || isSeq(node) ? node : undefined;
      }
    }
    const chosen = key && keyNode !== undefined ? keyNode : node;
    return isScalar(chosen) || isMap(chosen) || isSeq(chosen) ? chosen : undefined;
  }

  locate(segments: DataPath, key = false): { line: number; column: number } {
    const node = this.find(segments, key);
    return node?.range ? this.position(node.range[0]) : { line: 1, column: 1 };
  }

  /** Where character `offset` of a scalar's value is in the file, when the scalar maps simply onto the source. */
  locateInScalar(segments: DataPath, offset: number): { line: number; column: number } {
    const node = this.find(segments);
    if (!node?.range || !isScalar(node)) return this.locate(segments);
    const start = node.range[0];
    const source = this.text.slice(start, node.range[1]);
    const type = node.type;
    if ((type === Scalar.PLAIN || type === Scalar.QUOTE_SINGLE || type === Scalar.QUOTE_DOUBLE) && !source.includes('\n')) {
      const quote = type === Scalar.PLAIN ? 0 : 1;
      // Escapes make the value shorter than its source; then only the scalar's start is certain.
      const exact = typeof node.value === 'string' && source.trimEnd().length === node.value.length + 2 * quote;
      return this.position(start + (exact ? quote + offset : 0));
    }
    if (type === Scalar.BLOCK_LITERAL && typeof node.value === 'string') {
      // Literal blocks keep lines as they are: line k of the value is line k after the header, indented.
      const before = node.value.slice(0, offset);
      const lineInValue = before.split('\n').length - 1;
      const columnInLine = offset - (before.lastIndexOf('\n') + 1);
      const header = this.position(start);
      const firstContent = /\n([ \t]*)\S/.exec(source);
      const indent = firstContent ? firstContent[1].length : 0;
      return { line: header.line + 1 + lineInValue, column: indent + columnInLine + 1 };
    }
    return this.position(start);
  }
}

// ---------------------------------------------------------------------------------------------
// Validation

interface Problems {
  errors: PlaybookError[];
  add(code: PlaybookErrorCode, segments: DataPath, message: string, at?: { line: number; column: number }): void;
}

function problemsFor(map: SourceMap): Problems {
  const errors: PlaybookError[] = [];
  return {
    errors,
    add(code, segments, message, at) {
      const where = at ?? map.locate(segments);
      errors.push({ file: map.file, line: where.line, column: where.column, path: formatPath(segments), code, message });
    },
  };
}

function sortErrors(errors: PlaybookError[]): PlaybookError[] {
  return [...errors].sort((a, b) => a.line - b.line || a.column - b.column);
}

interface Analysis {
  result: PlaybookValidation;
  map?: SourceMap;
}

/** Validates one playbook file's text. `fileName` is only used in error reports. */
export function validatePlaybookText(text: string, fileName: string, catalog: PlaybookActionCatalog): PlaybookValidation {
  return analyze(text, fileName, catalog).result;
}

function fileError(file: string, code: PlaybookErrorCode, message: string, line = 1, column = 1): PlaybookError {
  return { file, line, column, path: '', code, message };
}

function analyze(text: string, file: string, catalog: PlaybookActionCatalog): Analysis {
  if (Buffer.byteLength(text, 'utf8') > MAX_PLAYBOOK_BYTES) {
    return { result: { ok: false, errors: [fileError(file, 'yaml_syntax', `the file is larger than ${MAX_PLAYBOOK_BYTES} bytes`)] } };
  }

  // Pass 1: YAML.
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const map = new SourceMap(doc, lines, file, text);
  if (doc.errors.length > 0) {
    const errors = doc.errors.map((error) => {
      const at = map.position(error.pos[0]);
      return fileError(file, 'yaml_syntax', error.message.split('\n')[0], at.line, at.column);
    });
    return { result: { ok: false, errors }, map };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { result: { ok: false, errors: [fileError(file, 'yaml_syntax', error instanceof Error ? error.message : String(error))] }, map };
  }

  // Pass 2: shape.
  const parsed = playbookSchema.safeParse(data);
  if (!parsed.success) {
    const problems = problemsFor(map);
    for (const issue of parsed.error.issues) reportSchemaIssue(issue, data, map, problems);
    return { result: { ok: false, errors: sortErrors(problems.errors) }, map };
  }

  // Pass 3: meaning.
  const playbook: Playbook = parsed.data;
  const problems = problemsFor(map);
  checkMeaning(playbook, catalog, map, problems);
  if (problems.errors.length > 0) return { result: { ok: false, errors: sortErrors(problems.errors) }, map };
  return { result: { ok: true, playbook, hash: playbookHash(playbook) }, map };
}

// ---------------------------------------------------------------------------------------------
// Pass 2: schema issues, in authors' words

function dataAt(data: unknown, segments: DataPath): unknown {
  let value = data;
  for (const segment of segments) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[String(segment)];
  }
  return value;
}

function shapeKeys(schema: z.ZodObject): string[] {
  return Object.keys(schema.shape);
}

/** The fields allowed in the object at `segments`, to suggest a correction for an unknown one. */
function allowedFields(data: unknown, segments: DataPath): string[] {
  const value = dataAt(data, segments);
  const kind = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)['kind'] : undefined;
  if (typeof kind === 'string' && (STEP_KINDS as string[]).includes(kind)) {
    return shapeKeys(stepSchemasByKind[kind as keyof typeof stepSchemasByKind]);
  }
  const last = segments[segments.length - 1];
  const parent = segments[segments.length - 2];
  if (segments.length === 0) return shapeKeys(playbookSchema);
  if (last === 'retry') return shapeKeys(retrySchema);
  if (last === 'onFailure') return ['goto'];
  if (typeof last === 'number' && parent === 'levels') return shapeKeys(approvalLevelSchema);
  if (typeof last === 'number' && segments.length === 2 && parent === 'triggers') return shapeKeys(triggerSchema);
  if (typeof last === 'number' && segments.length === 2 && parent === 'inputs') return shapeKeys(playbookInputSchema);
  return [];
}

function reportSchemaIssue(issue: z.core.$ZodIssue, data: unknown, map: SourceMap, problems: Problems): void {
  const segments = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedFields(data, segments);
      for (const key of issue.keys) {
        const at = [...segments, key];
        problems.add('schema', at, `unknown field '${key}'${didYouMean(key, allowed)}`, map.locate(at, true));
      }
      return;
    }
    case 'invalid_union': {
      const last = segments[segments.length - 1];
      if (issue.discriminator === 'kind' || last === 'kind') {
        const kind = dataAt(data, segments);
        const stepPath = last === 'kind' ? segments.slice(0, -1) : segments;
        const kinds = STEP_KINDS.join(', ');
        if (kind === undefined) problems.add('schema', stepPath, `a step needs a kind: one of ${kinds}`);
        else problems.add('schema', segments, `unknown step kind ${JSON.stringify(kind)} (the kinds are ${kinds})${typeof kind === 'string' ? didYouMean(kind, STEP_KINDS) : ''}`);
        return;
      }
      if (last === 'onFailure') {
        problems.add('schema', segments, "onFailure is 'fail', 'continue' or { goto: <step id> }");
        return;
      }
      problems.add('schema', segments, issue.message);
      return;
    }
    case 'invalid_key': {
      const inner = issue.issues[0]?.message ?? issue.message;
      const key = segments[segments.length - 1];
      problems.add('schema', segments, `invalid name '${String(key)}': ${inner}`, map.locate(segments, true));
      return;
    }
    case 'invalid_type': {
      const last = segments[segments.length - 1];
      const parentPath = segments.slice(0, -1);
      const parent = dataAt(data, parentPath);
      const missing = typeof last === 'string' && typeof parent === 'object' && parent !== null && !Array.isArray(parent) && !Object.hasOwn(parent, last);
      if (missing) {
        problems.add('schema', segments, `missing required field '${last}'`, map.locate(parentPath));
        return;
      }
      problems.add('schema', segments, segments.length === 0 ? 'a playbook is a YAML mapping with id, name, version and steps' : issue.message);
      return;
    }
    default:
      problems.add('schema', segments, issue.message);
  }
}

// ---------------------------------------------------------------------------------------------
// Pass 3: meaning

interface ListInfo {
  path: DataPath;
  steps: Step[];
  ids: Map<string, number>;
}

interface StepInfo {
  step: Step;
  path: DataPath;
  list: ListInfo;
  index: number;
  /** Names bound by enclosing foreach steps (`item` unless `as` says otherwise). */
  itemNames: string[];
}

interface Index {
  lists: ListInfo[];
  steps: StepInfo[];
  /** First occurrence of each id. */
  byId: Map<string, StepInfo>;
  vars: Set<string>;
  inputs: Set<string>;
}

function buildIndex(playbook: Playbook): Index {
  const index: Index = { lists: [], steps: [], byId: new Map(), vars: new Set(), inputs: new Set((playbook.inputs ?? []).map((input) => input.name)) };
  const visit = (steps: Step[], listPath: DataPath, itemNames: string[]): void => {
    const list: ListInfo = { path: listPath, steps, ids: new Map() };
    index.lists.push(list);
    steps.forEach((step, i) => {
      if (!list.ids.has(step.id)) list.ids.set(step.id, i);
      const info: StepInfo = { step, path: [...listPath, i], list, index: i, itemNames };
      index.steps.push(info);
      if (!index.byId.has(step.id)) index.byId.set(step.id, info);
      if (step.kind === 'set') for (const name of Object.keys(step.vars)) index.vars.add(name);
      if (step.kind === 'action' && step.output !== undefined) index.vars.add(step.output);
      if (step.kind === 'parallel') step.branches.forEach((branch, b) => visit(branch, [...listPath, i, 'branches', b], itemNames));
      if (step.kind === 'foreach') visit(step.steps, [...listPath, i, 'steps'], [...itemNames, step.as ?? DEFAULT_ITEM_NAME]);
      if (step.kind === 'loop') visit(step.steps, [...listPath, i, 'steps'], itemNames);
    });
  };
  visit(playbook.steps, ['steps'], []);
  return index;
}

function checkMeaning(playbook: Playbook, catalog: PlaybookActionCatalog, map: SourceMap, problems: Problems): void {
  const index = buildIndex(playbook);
  checkInputs(playbook.inputs ?? [], problems);
  checkStepIds(index, map, problems);
  for (const info of index.steps) {
    checkRoutes(info, index, problems);
    checkStep(info, playbook, index, problems);
    if (info.step.kind === 'action') checkAction(info, info.step.action, info.step.with, catalog, map, problems);
    if (info.step.kind === 'action' && info.step.expiresIn !== undefined && catalog.get(info.step.action) && catalog.get(info.step.action)?.kind !== 'containment') {
      problems.add('invalid_step', [...info.path, 'expiresIn'], `expiresIn applies to containment actions only; ${info.step.action} is ${catalog.get(info.step.action)?.kind} and has nothing to undo`);
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
    const fits =
      input.type === 'list' ? Array.isArray(value) : input.type === 'number' ? typeof value === 'number' : typeof value === input.type;
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
    problems.add('duplicate_step_id', [...info.path, 'id'], `step id '${info.step.id}' is already used by ${formatPath(earlier.path)} (line ${line}); step ids are unique across the playbook`);
  }
}

interface Route {
  field: DataPath;
  target: string;
}

/** Every explicit route a step declares, with the field that declares it. */
function routesOf(step: Step): Route[] {
  const routes: Route[] = [];
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

function checkRoutes(info: StepInfo, index: Index, problems: Problems): void {
  for (const route of routesOf(info.step)) {
    if (info.list.ids.has(route.target)) continue;
    const elsewhere = index.byId.get(route.target);
    const at = [...info.path, ...route.field];
    if (elsewhere) {
      problems.add('route_out_of_scope', at, `'${route.target}' is in another list (${formatPath(elsewhere.path)}); a route may only target a step in the same list`);
    } else {
      problems.add('unknown_route_target', at, `no step '${route.target}' in this list${didYouMean(route.target, info.list.ids.keys())}`);
    }
  }
}

interface Edge {
  to: number;
  /** The field declaring the route; undefined for falling through to the next step. */
  field?: DataPath;
}

/**
 * Where the interpreter can go after each step of a list. `continuation` is where a step that does not
 * route goes: its `next`, else the following step. A skipped step (`when` false) also continues.
 * `onFailure: continue` goes on with the following step.
 */
function edgesOf(list: ListInfo, i: number): Edge[] {
  const step = list.steps[i];
  const edges: Edge[] = [];
  const add = (target: string | undefined, field?: DataPath): void => {
    if (target === undefined) return;
    const to = list.ids.get(target);
    if (to !== undefined) edges.push({ to, field });
  };
  const following = (): void => {
    if (i + 1 < list.steps.length) edges.push({ to: i + 1 });
  };
  const continuation = (): void => {
    if (step.next !== undefined) add(step.next, ['next']);
    else following();
  };

  if (step.when !== undefined) continuation();
  switch (step.kind) {
    case 'end':
      break;
    case 'condition':
      add(step.then, ['then']);
      if (step.else !== undefined) add(step.else, ['else']);
      else continuation();
      break;
    case 'switch':
      for (const [value, target] of Object.entries(step.cases)) add(target, ['cases', value]);
      if (step.default !== undefined) add(step.default, ['default']);
      else continuation();
      break;
    case 'approval':
      if (step.onApprove !== undefined) add(step.onApprove, ['onApprove']);
      else continuation();
      if (step.onReject !== undefined) add(step.onReject, ['onReject']);
      else continuation();
      break;
    default:
      continuation();
  }
  if (step.onFailure === 'continue') following();
  else if (typeof step.onFailure === 'object') add(step.onFailure.goto, ['onFailure', 'goto']);
  return edges;
}

function checkFlow(list: ListInfo, problems: Problems): void {
  // With a route to a missing step the flow is unknown; that error is enough until it is fixed.
  if (list.steps.some((step) => routesOf(step).some((route) => !list.ids.has(route.target)))) return;
  const edges = list.steps.map((_, i) => edgesOf(list, i));

  // Reachability from the first step of the list.
  const reached = new Set<number>([0]);
  const queue = [0];
  while (queue.length > 0) {
    const from = queue.shift() as number;
    for (const edge of edges[from]) {
      if (!reached.has(edge.to)) {
        reached.add(edge.to);
        queue.push(edge.to);
      }
    }
  }
  list.steps.forEach((step, i) => {
    if (reached.has(i)) return;
    const previous = list.steps[i - 1];
    const why = reached.has(i - 1) ? `'${previous.id}' before it does not fall through and no step routes to it` : 'no step routes to it and the step before it never runs';
    problems.add('unreachable_step', [...list.path, i, 'id'], `step '${step.id}' can never run: ${why}`);
  });

  // Cycles: a route back to a step already on the current path. Only loop and foreach repeat.
  const state = new Array<0 | 1 | 2>(list.steps.length).fill(0);
  const stack: number[] = [];
  const visit = (node: number): void => {
    state[node] = 1;
    stack.push(node);
    for (const edge of edges[node]) {
      if (state[edge.to] === 1) {
        const cycle = [...stack.slice(stack.indexOf(edge.to)), edge.to].map((n) => list.steps[n].id).join(' → ');
        const field = edge.field ?? [];
        problems.add('route_cycle', [...list.path, node, ...field], `this route makes a cycle (${cycle}); only loop and foreach steps repeat`);
      } else if (state[edge.to] === 0) {
        visit(edge.to);
      }
    }
    stack.pop();
    state[node] = 2;
  };
  for (let i = 0; i < list.steps.length; i += 1) if (state[i] === 0) visit(i);
}

function checkStep(info: StepInfo, playbook: Playbook, index: Index, problems: Problems): void {
  const { step, path: at } = info;
  if (step.retry?.initialInterval !== undefined && step.retry.maxInterval !== undefined) {
    const initial = durationMs(step.retry.initialInterval);
    const max = durationMs(step.retry.maxInterval);
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
        else if (guarded.step.kind !== 'action') problems.add('invalid_step', [...at, 'guards'], `guards must name an action step; '${step.guards}' is a ${guarded.step.kind} step`);
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

function checkAction(
  info: StepInfo,
  key: string,
  params: Record<string, unknown> | undefined,
  catalog: PlaybookActionCatalog,
  map: SourceMap,
  problems: Problems,
): void {
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

interface Text {
  field: DataPath;
  value: string;
}

function stringsIn(value: unknown, field: DataPath, into: Text[]): void {
  if (typeof value === 'string') into.push({ field, value });
  else if (Array.isArray(value)) value.forEach((item, i) => stringsIn(item, [...field, i], into));
  else if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) stringsIn(item, [...field, key], into);
}

function templatesOf(step: Step): Text[] {
  const texts: Text[] = [];
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

function expressionsOf(step: Step): Text[] {
  const texts: Text[] = [];
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

/** Checks the names a template or expression reads: roots in scope, and the steps, vars and inputs it names. */
function checkNames(
  paths: string[][],
  info: StepInfo,
  index: Index,
  at: DataPath,
  what: string,
  problems: Problems,
): void {
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
  for (const text of templatesOf(info.step)) {
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
  for (const text of expressionsOf(info.step)) {
    const at = [...info.path, ...text.field];
    const problem = checkExpression(text.value);
    if (problem) {
      problems.add('invalid_expression', at, `expression: ${problem.message} (at character ${problem.position + 1})`, map.locateInScalar(at, problem.position));
      continue;
    }
    checkNames(collectPaths(parseExpression(text.value)), info, index, at, 'expression', problems);
  }
}

// ---------------------------------------------------------------------------------------------
// A folder of playbooks

function isPlaybookFile(name: string): boolean {
  return (name.endsWith('.yaml') || name.endsWith('.yml')) && !/\.test\.ya?ml$/.test(name);
}

function subPlaybookSteps(steps: Step[], listPath: DataPath, into: { step: Extract<Step, { kind: 'playbook' }>; path: DataPath }[]): void {
  steps.forEach((step, i) => {
    const at = [...listPath, i];
    if (step.kind === 'playbook') into.push({ step, path: at });
    if (step.kind === 'parallel') step.branches.forEach((branch, b) => subPlaybookSteps(branch, [...at, 'branches', b], into));
    if (step.kind === 'foreach' || step.kind === 'loop') subPlaybookSteps(step.steps, [...at, 'steps'], into);
  });
}

interface Candidate {
  loaded: LoadedPlaybook;
  map: SourceMap;
}

/**
 * Reads and validates every `*.yaml` playbook in a folder (`*.test.yaml` files are playbook tests and
 * are skipped), then checks what spans files: unique playbook ids and sub-playbook references.
 * A playbook with any error is left out of `playbooks`, and so is one that runs a left-out playbook.
 */
export async function loadPlaybookDirectory(dir: string, catalog: PlaybookActionCatalog): Promise<PlaybookDirectory> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isFile() && isPlaybookFile(entry.name)).map((entry) => entry.name);
  } catch (error) {
    return { playbooks: [], errors: [fileError(dir, 'io_error', `cannot read the playbook folder: ${error instanceof Error ? error.message : String(error)}`, 0, 0)] };
  }
  names.sort();

  const errors: PlaybookError[] = [];
  const sources: PlaybookSource[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      sources.push({ file, text: await readFile(file, 'utf8') });
    } catch (error) {
      errors.push(fileError(file, 'io_error', `cannot read the file: ${error instanceof Error ? error.message : String(error)}`, 0, 0));
    }
  }
  const set = validatePlaybookSet(sources, catalog);
  return { playbooks: set.playbooks, errors: [...errors, ...set.errors] };
}

/** One playbook's YAML text and the name its errors are reported under. */
export interface PlaybookSource {
  file: string;
  text: string;
}

/**
 * Validates playbooks that may run each other, as one set: each on its own, then what spans them
 * (unique playbook ids, the first source in the list keeping an id; sub-playbook references).
 * A playbook with any error is left out of `playbooks`, and so is one that runs a left-out playbook.
 */
export function validatePlaybookSet(sources: readonly PlaybookSource[], catalog: PlaybookActionCatalog): PlaybookDirectory {
  const errors: PlaybookError[] = [];
  const candidates: Candidate[] = [];
  for (const { file, text } of sources) {
    const { result, map } = analyze(text, file, catalog);
    if (!result.ok) errors.push(...result.errors);
    else if (map) candidates.push({ loaded: { file, playbook: result.playbook, hash: result.hash }, map });
  }

  // Playbook ids are unique across the folder: the first file (by name) keeps its id.
  const byId = new Map<string, Candidate>();
  const accepted: Candidate[] = [];
  for (const candidate of candidates) {
    const id = candidate.loaded.playbook.id;
    const first = byId.get(id);
    if (first) {
      const problems = problemsFor(candidate.map);
      problems.add('duplicate_playbook_id', ['id'], `playbook id '${id}' is already used by ${first.loaded.file}`);
      errors.push(...problems.errors);
      continue;
    }
    byId.set(id, candidate);
    accepted.push(candidate);
  }

  // Sub-playbook references, repeated until stable since leaving one playbook out can break its callers.
  const rejected = new Set<string>();
  const crossErrors = new Map<string, PlaybookError[]>();
  let changed = true;
  while (changed) {
    changed = false;
    for (const candidate of accepted) {
      const id = candidate.loaded.playbook.id;
      if (rejected.has(id)) continue;
      const problems = problemsFor(candidate.map);
      checkSubPlaybooks(candidate, byId, rejected, problems);
      if (problems.errors.length > 0) {
        rejected.add(id);
        crossErrors.set(id, problems.errors);
        changed = true;
      }
    }
  }
  for (const candidate of accepted) errors.push(...(crossErrors.get(candidate.loaded.playbook.id) ?? []));
  return { playbooks: accepted.filter((c) => !rejected.has(c.loaded.playbook.id)).map((c) => c.loaded), errors };
}

function checkSubPlaybooks(candidate: Candidate, byId: Map<string, Candidate>, rejected: Set<string>, problems: Problems): void {
  const calls: { step: Extract<Step, { kind: 'playbook' }>; path: DataPath }[] = [];
  subPlaybookSteps(candidate.loaded.playbook.steps, ['steps'], calls);
  for (const { step, path: at } of calls) {
    const target = byId.get(step.playbook);
    if (!target) {
      problems.add('unknown_playbook', [...at, 'playbook'], `no playbook '${step.playbook}' in this folder${didYouMean(step.playbook, byId.keys())}`);
      continue;
    }
    if (rejected.has(step.playbook)) {
      problems.add('unknown_playbook', [...at, 'playbook'], `playbook '${step.playbook}' is not valid, so this one cannot run it`);
      continue;
    }
    const cycle = callPath(step.playbook, candidate.loaded.playbook.id, byId, new Set());
    if (cycle) {
      problems.add('playbook_cycle', [...at, 'playbook'], `sub-playbooks make a cycle (${[candidate.loaded.playbook.id, ...cycle].join(' → ')})`);
      continue;
    }
    const declared = target.loaded.playbook.inputs ?? [];
    const given = step.inputs ?? {};
    for (const name of Object.keys(given)) {
      if (!declared.some((input) => input.name === name)) {
        problems.add('unknown_input', [...at, 'inputs', name], `playbook '${step.playbook}' has no input '${name}'${didYouMean(name, declared.map((input) => input.name))}`, candidate.map.locate([...at, 'inputs', name], true));
      }
    }
    for (const input of declared) {
      if (input.default === undefined && !Object.hasOwn(given, input.name)) {
        problems.add('missing_input', step.inputs ? [...at, 'inputs'] : [...at, 'playbook'], `playbook '${step.playbook}' needs input '${input.name}'`);
      }
    }
  }
}

/** The chain of playbook ids from `from` that leads back to `to`, if any. */
function callPath(from: string, to: string, byId: Map<string, Candidate>, seen: Set<string>): string[] | undefined {
  if (from === to) return [to];
  if (seen.has(from)) return undefined;
  seen.add(from);
  const candidate = byId.get(from);
  if (!candidate) return undefined;
  const calls: { step: Extract<Step, { kind: 'playbook' }>; path: DataPath }[] = [];
  subPlaybookSteps(candidate.loaded.playbook.steps, ['steps'], calls);
  for (const { step } of calls) {
    const rest = callPath(step.playbook, to, byId, seen);
    if (rest) return [from, ...rest];
  }
  return undefined;
}
