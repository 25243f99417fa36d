/**
 * One playbook text through the three passes, and playbooks that may run each other validated as one
 * set: from a folder, or from sources the caller read.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter } from 'yaml';
import type { Playbook, Step } from '../../../workflows/language/playbook.types.js';
import { stepLists } from '../../../workflows/language/step-model.js';
import { playbookSchema } from '../playbook.schema.js';
import { checkMeaning, type PlaybookActionCatalog } from './meaning-checks.js';
import { fileError, type PlaybookError, problemsFor, type Problems, sortErrors } from './playbook-errors.js';
import { type BoundExceeded, exceedsBytes, exceedsShape, MAX_PLAYBOOK_BYTES } from './playbook-bounds.js';
import { didYouMean, reportSchemaIssue } from './schema-wording.js';
import { parsePlaybookYaml } from './yaml-parsing.js';
import { type DataPath, SourceMap } from './yaml-source-map.js';

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

// ---------------------------------------------------------------------------------------------
// One playbook

export interface PlaybookAnalysis {
  result: PlaybookValidation;
  map?: SourceMap;
  /** Set when the text exceeds a bound of playbook-bounds.ts; the passes after it did not run. */
  exceeded?: BoundExceeded;
}

/** Validates one playbook file's text. `fileName` is only used in error reports. */
export function validatePlaybookText(text: string, fileName: string, catalog: PlaybookActionCatalog): PlaybookValidation {
  return analyzePlaybookText(text, fileName, catalog).result;
}

/** The validation of one text with what it was located with, and whether it exceeded a bound. */
export function analyzePlaybookText(text: string, file: string, catalog: PlaybookActionCatalog): PlaybookAnalysis {
  const tooBig = exceedsBytes(text);
  if (tooBig) {
    return { result: { ok: false, errors: [fileError(file, 'yaml_syntax', `the file is larger than ${MAX_PLAYBOOK_BYTES} bytes`)] }, exceeded: tooBig };
  }

  // Pass 1: YAML, within the bounds on nodes and nesting before anything walks it.
  const lines = new LineCounter();
  const doc = parsePlaybookYaml(text, lines);
  const map = new SourceMap(doc, lines, file, text);
  const exceeded = exceedsShape(doc);
  if (exceeded) {
    const at = exceeded.offset === undefined ? { line: 1, column: 1 } : map.position(exceeded.offset);
    return { result: { ok: false, errors: [fileError(file, 'playbook_too_large', exceeded.message, at.line, at.column)] }, map, exceeded };
  }
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
// A folder of playbooks

function isPlaybookFile(name: string): boolean {
  return (name.endsWith('.yaml') || name.endsWith('.yml')) && !/\.test\.ya?ml$/.test(name);
}

interface SubPlaybookCall {
  step: Extract<Step, { kind: 'playbook' }>;
  path: DataPath;
}

function subPlaybookSteps(steps: readonly Step[], listPath: DataPath, into: SubPlaybookCall[]): void {
  steps.forEach((step, i) => {
    const at = [...listPath, i];
    if (step.kind === 'playbook') into.push({ step, path: at });
    for (const nested of stepLists(step)) subPlaybookSteps(nested.steps, [...at, ...nested.field], into);
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
    const { result, map } = analyzePlaybookText(text, file, catalog);
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
  const calls: SubPlaybookCall[] = [];
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
        problems.add(
          'unknown_input',
          [...at, 'inputs', name],
          `playbook '${step.playbook}' has no input '${name}'${didYouMean(
            name,
            declared.map((input) => input.name),
          )}`,
          candidate.map.locate([...at, 'inputs', name], true),
        );
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
  const calls: SubPlaybookCall[] = [];
  subPlaybookSteps(candidate.loaded.playbook.steps, ['steps'], calls);
  for (const { step } of calls) {
    const rest = callPath(step.playbook, to, byId, seen);
    if (rest) return [from, ...rest];
  }
  return undefined;
}
