/**
 * Import of OASIS CACAO 2.0 playbooks as Vigil playbooks.
 *
 * CACAO workflows are graphs of steps joined by pointers; Vigil playbooks are lists that fall
 * through to the next step unless a step routes elsewhere, with nested lists for parallel branches
 * and loop bodies. The import walks the graph from the start step and emits steps in traversal
 * order, then sets an explicit `next` wherever the successor is not the following list element,
 * so fall-through never goes somewhere the CACAO author did not mean.
 *
 * Branch semantics follow the specification: the branches of if-, switch-, while-condition and
 * parallel steps run until they reach an end step, and processing then returns to the branching
 * step's on_completion. In a top-level branch that end becomes the step after the branching step
 * (or a Vigil `end` step when nothing follows); in a nested list it ends the list.
 */
import { formatDuration } from '../../../workflows/language/duration.js';
import type {
  ApprovalStep,
  ActionStep,
  LoopStep,
  ForeachStep,
  ParallelStep,
  Playbook,
  PlaybookInput,
  SetStep,
  Step,
  StepKind,
  SubPlaybookStep,
} from '../../../workflows/language/playbook.types.js';
import type {
  CacaoActionStep,
  CacaoAgentTarget,
  CacaoCommand,
  CacaoIfConditionStep,
  CacaoIssue,
  CacaoParallelStep,
  CacaoPlaybook,
  CacaoPlaybookActionStep,
  CacaoSwitchConditionStep,
  CacaoVariable,
  CacaoWhileConditionStep,
  CacaoWorkflowStep,
} from './cacao.types.js';
import {
  cacaoTextToTemplate,
  decodeBase64Text,
  IdAllocator,
  isRecord,
  mapStrings,
  parseHttpStartLine,
  slugPlaybookId,
  slugStepId,
  variableValueExpression,
  vigilVariableName,
} from './cacao-shared.js';
import { translateCacaoCondition, translateCacaoSwitch } from './cacao-condition.js';
import { hasErrors, jsonPointer, validateCacao } from './cacao-validate.js';
import { readStoredPlaybook, readStoredStep, type StoredStep } from './cacao-vigil-extension.js';
import { MAX_PLAYBOOK_DEPTH, MAX_PLAYBOOK_NODES, type PlaybookTooLarge } from '../validation/index.js';

export interface CacaoImportOptions {
  /** Vigil playbook id for the CACAO id a playbook-action step runs; without an answer the CACAO id is kept. */
  resolvePlaybookId?: (cacaoPlaybookId: string) => string | undefined;
  /** Roles that may complete manual tasks (default `['analyst']`). */
  approvalRoles?: string[];
  /** Bound on the iterations of loops from while-condition steps (default 100). */
  maxIterations?: number;
}

/** A construct of a valid CACAO document that Vigil refuses by design: where it is (JSON Pointer), what it is, why. */
export interface CacaoUnsupported {
  pointer: string;
  construct: string;
  message: string;
}

export type CacaoImportResult =
  { ok: true; playbook: Playbook; warnings: string[] } | { ok: false; errors: CacaoIssue[]; unsupported?: undefined } | { ok: false; errors: []; unsupported: CacaoUnsupported[] };

/** Vigil action keys the import produces. */
export const HTTP_REQUEST_ACTION = 'http.request';
export const OPENC2_DENY_IPV4_ACTION = 'openc2.deny_ipv4';
export const OPENC2_ALLOW_IPV4_ACTION = 'openc2.allow_ipv4';
export const OPENC2_COMMAND_ACTION = 'openc2.command';
/** Path under which exported integration actions appear as http-api commands (`POST /vigil/actions/<key>`). */
export const VIGIL_ACTION_PATH_PREFIX = '/vigil/actions/';
export const OPENC2_CONTENT_TYPE = 'application/openc2+json;version=1.0';

const DEFAULT_APPROVAL_TIMEOUT = '24h';
const DEFAULT_MAX_ITERATIONS = 100;

/** The most workflow steps a CACAO document may have; the playbook it becomes is bounded like any other. */
export const MAX_CACAO_STEPS = 2_000;

/**
 * The bounds of a posted playbook (playbook-bounds.ts) on a CACAO document before it is checked or
 * converted: JSON values as YAML nodes, nesting, and workflow steps. Iterative, so nesting cannot exhaust the stack.
 */
export function checkCacaoBounds(doc: unknown): PlaybookTooLarge | undefined {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: doc, depth: 0 }];
  let values = 0;
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    values += 1;
    if (values > MAX_PLAYBOOK_NODES) {
      return { message: `the CACAO document has more than ${MAX_PLAYBOOK_NODES} values`, details: { bound: 'nodes', limit: MAX_PLAYBOOK_NODES } };
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth + 1 > MAX_PLAYBOOK_DEPTH) {
      return { message: `the CACAO document nests deeper than ${MAX_PLAYBOOK_DEPTH} levels`, details: { bound: 'depth', limit: MAX_PLAYBOOK_DEPTH } };
    }
    // Keys count like a YAML mapping's keys.
    if (!Array.isArray(value)) values += Object.keys(value).length;
    for (const item of Object.values(value)) stack.push({ value: item, depth: depth + 1 });
  }
  const workflow = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>)['workflow'] : undefined;
  const steps = typeof workflow === 'object' && workflow !== null ? Object.keys(workflow).length : 0;
  if (steps > MAX_CACAO_STEPS) {
    return { message: `the CACAO workflow has ${steps} steps; the most Vigil imports is ${MAX_CACAO_STEPS}`, details: { bound: 'nodes', limit: MAX_CACAO_STEPS } };
  }
  return undefined;
}

/** Validates a CACAO 2.0 document and converts it; refuses documents with validation errors or over the bounds. */
export function importCacao(doc: unknown, options: CacaoImportOptions = {}): CacaoImportResult {
  const tooLarge = checkCacaoBounds(doc);
  if (tooLarge) return { ok: false, errors: [{ path: '', code: 'invalid-value', message: tooLarge.message, severity: 'error' }] };
  const issues = validateCacao(doc);
  if (hasErrors(issues)) return { ok: false, errors: issues.filter((issue) => issue.severity === 'error') };
  const warnings = issues.map((issue) => `${issue.path || '/'}: ${issue.message}`);
  // validateCacao has checked every property the importer reads.
  const importer = new CacaoImporter(doc as CacaoPlaybook, options, warnings);
  const playbook = importer.run();
  if (importer.unsupported.length > 0) return { ok: false, errors: [], unsupported: importer.unsupported };
  return { ok: true, playbook, warnings };
}

// ---------------------------------------------------------------------------------------------
// Graph-to-list conversion

/** What reaching a branch end means where a step is being converted. */
type Exit =
  /** Top level: the run ends. */
  | { kind: 'terminate' }
  /** Branch of an if- or switch-condition: processing returns to the step after it. */
  | { kind: 'continue'; cacaoId: string; outer: Exit }
  /** Parallel branch or loop body: the nested list ends. */
  | { kind: 'scopeEnd' };

/** A resolved route: a CACAO step to convert, a Vigil step already made, or the end of the list. */
type Target = { kind: 'node'; cacaoId: string; exit: Exit } | { kind: 'step'; id: string } | { kind: 'exit' };

class StepList {
  readonly steps: Step[] = [];
  /** Vigil id of each CACAO step converted (or to be converted) in this list. */
  readonly ids = new Map<string, string>();
  readonly converted = new Set<string>();
  /** Fall-through successor of each Vigil step that has one. */
  readonly successors = new Map<string, Target>();
  /** Continuations of branching steps whose branches are still being converted. */
  readonly pending = new Set<string>();
  /** Pending continuations some step leads to: they are converted once the branches are done. */
  readonly wanted = new Set<string>();
  exitId?: string;

  constructor(
    /** `terminate` for the top level, `scopeEnd` for nested lists. */
    readonly exitKind: 'terminate' | 'scopeEnd',
    /** CACAO steps where this nested list ends: the loop head, the parallel's continuation, convergence points. */
    readonly stops: ReadonlySet<string>,
    readonly label: string,
  ) {}
}

function stepLabel(step: CacaoWorkflowStep, cacaoId: string): string {
  return step.name ? `step '${step.name}' (${cacaoId})` : `step ${cacaoId}`;
}

class CacaoImporter {
  private readonly workflow: Record<string, CacaoWorkflowStep>;
  private readonly ids = new IdAllocator();
  private readonly variableNames = new Map<string, string>();
  private readonly usedVariableNames = new Set<string>();
  private readonly roles: string[];
  private exceptionTarget?: Target;
  private warnedNestedException = false;
  /** What the document says that Vigil refuses; any entry stops the import. */
  readonly unsupported: CacaoUnsupported[] = [];

  constructor(
    private readonly doc: CacaoPlaybook,
    private readonly options: CacaoImportOptions,
    private readonly warnings: string[],
  ) {
    this.workflow = doc.workflow;
    this.roles = options.approvalRoles && options.approvalRoles.length > 0 ? options.approvalRoles : ['analyst'];
  }

  run(): Playbook {
    const stored = readStoredPlaybook(this.doc.playbook_extensions);
    this.nameDeclaredVariables();
    const { setStep, inputs } = this.initialVariables(stored);

    const top = new StepList('terminate', new Set(), 'playbook');
    const exit: Exit = { kind: 'terminate' };
    const entry = this.resolve(this.doc.workflow_start, exit, top);

    const handler = this.exceptionHandler();
    if (handler !== undefined && this.workflow[handler]?.type !== 'end') {
      this.exceptionTarget = this.resolve(handler, exit, top);
    }

    if (setStep) {
      top.steps.push(setStep);
      top.successors.set(setStep.id, entry);
    }
    this.build(entry, top);
    const handlerTarget = this.exceptionTarget;
    // The handler is only converted when some step can fail into it.
    if (handlerTarget?.kind === 'node' && top.ids.has(handlerTarget.cacaoId)) this.build(handlerTarget, top);
    this.finish(top);

    const playbook: Playbook = {
      id: stored.id ?? slugPlaybookId(this.doc.name),
      name: this.doc.name,
      version: stored.version ?? this.revision(),
      steps: top.steps,
    };
    if (this.doc.description !== undefined) playbook.description = this.doc.description;
    if (stored.priority !== undefined) playbook.priority = stored.priority;
    if (stored.triggers !== undefined) playbook.triggers = stored.triggers;
    const allInputs = stored.inputs ?? inputs;
    if (allInputs.length > 0) playbook.inputs = allInputs;
    return playbook;
  }

  /** workflow_exception when it names a step of the workflow; one naming a missing step is ignored (the validator warns). */
  private exceptionHandler(): string | undefined {
    const handler = this.doc.workflow_exception;
    return handler !== undefined && Object.hasOwn(this.workflow, handler) ? handler : undefined;
  }

  private revision(): string {
    // Not a CACAO 2.0 property, but some producers add it.
    const revision = (this.doc as unknown as Record<string, unknown>)['playbook_revision'];
    if (typeof revision === 'string' && revision !== '') return revision;
    if (typeof revision === 'number') return String(revision);
    return this.doc.modified;
  }

  private warn(message: string): void {
    this.warnings.push(message);
  }

  // -------------------------------------------------------------------------------------------
  // Variables

  /** Gives each CACAO variable a Vigil name, declared ones first so their names win collisions. */
  private nameDeclaredVariables(): void {
    for (const key of Object.keys(this.doc.playbook_variables ?? {})) this.variableName(key);
    for (const step of Object.values(this.workflow)) for (const key of Object.keys(step.step_variables ?? {})) this.variableName(key);
  }

  private readonly variableName = (cacaoKey: string): string => {
    const known = this.variableNames.get(cacaoKey);
    if (known) return known;
    const base = vigilVariableName(cacaoKey);
    let name = base;
    for (let n = 2; this.usedVariableNames.has(name); n += 1) name = `${base}_${n}`;
    if (name !== base) this.warn(`variable ${cacaoKey} is imported as vars.${name}: vars.${base} is taken by another CACAO variable`);
    this.variableNames.set(cacaoKey, name);
    this.usedVariableNames.add(name);
    return name;
  };

  private template(text: string): string {
    return cacaoTextToTemplate(text, this.variableName);
  }

  /**
   * Initial values become one `set` step at the start: playbook variables with a value, step
   * variables with a value (Vigil has one variable scope per run), and external variables, which
   * become playbook inputs copied into `vars` so that every reference reads `vars.<name>`.
   */
  private initialVariables(stored: { initStepId?: string; initStepName?: string }): { setStep?: SetStep; inputs: PlaybookInput[] } {
    const vars: Record<string, string> = {};
    const origin = new Map<string, string>();
    const inputs: PlaybookInput[] = [];
    const add = (key: string, variable: CacaoVariable, where: string): void => {
      const name = this.variableName(key);
      const expression = variable.external ? `inputs.${name}` : variableValueExpression(variable);
      const previous = vars[name];
      if (previous !== undefined) {
        if (previous !== expression) this.warn(`variable ${key} is declared with different initial values (${origin.get(name)} and ${where}); the first is used`);
        return;
      }
      vars[name] = expression;
      origin.set(name, where);
    };
    for (const [key, variable] of Object.entries(this.doc.playbook_variables ?? {})) {
      if (variable.external) inputs.push(this.input(key, variable));
      if (variable.external || (variable.value !== undefined && variable.value !== null)) add(key, variable, 'playbook_variables');
    }
    for (const [stepId, step] of Object.entries(this.workflow)) {
      for (const [key, variable] of Object.entries(step.step_variables ?? {})) {
        if (variable.value !== undefined && variable.value !== null) add(key, { ...variable, external: false }, `${stepId} step_variables`);
      }
    }
    if (Object.keys(vars).length === 0) return { inputs };
    if (stored.initStepId && this.ids.reserve(stored.initStepId)) {
      const setStep: SetStep = { id: stored.initStepId, kind: 'set', vars };
      if (stored.initStepName !== undefined) setStep.name = stored.initStepName;
      return { setStep, inputs };
    }
    return { setStep: { id: this.ids.allocate('set_variables'), name: 'Set playbook variables', kind: 'set', vars }, inputs };
  }

  private input(key: string, variable: CacaoVariable): PlaybookInput {
    const type = variable.type === 'integer' || variable.type === 'long' || variable.type === 'float' ? 'number' : variable.type === 'bool' ? 'boolean' : 'string';
    const input: PlaybookInput = { name: this.variableName(key), type };
    if (variable.value !== undefined && variable.value !== null) {
      const value = variable.value;
      if (type === 'number' && value.trim() !== '' && Number.isFinite(Number(value))) input.default = Number(value);
      else if (type === 'boolean' && /^(true|false)$/i.test(value.trim())) input.default = value.trim().toLowerCase() === 'true';
      else input.default = value;
    }
    if (variable.description !== undefined) input.description = variable.description;
    return input;
  }

  // -------------------------------------------------------------------------------------------
  // Routes

  private isStoredEnd(cacaoId: string): boolean {
    return readStoredStep(this.workflow[cacaoId]?.step_extensions)?.kind === 'end';
  }

  /** Where a CACAO pointer leads from a step converted under `exit` in `list`. */
  private resolve(ref: string | undefined, exit: Exit, list: StepList, seen: Set<string> = new Set()): Target {
    if (ref === undefined) return this.exitTarget(exit, list);
    if (list.stops.has(ref)) return { kind: 'exit' };
    // A pointer straight to a branching step's continuation leaves the branch.
    for (let e: Exit = exit; e.kind === 'continue'; e = e.outer) if (e.cacaoId === ref) return this.resolve(ref, e.outer, list, seen);
    const step = this.workflow[ref];
    if (!step) return this.exitTarget(exit, list);
    if (step.type === 'start') {
      if (seen.has(ref)) return this.exitTarget(exit, list);
      seen.add(ref);
      return this.resolve(step.on_completion, exit, list, seen);
    }
    if (step.type !== 'end') return { kind: 'node', cacaoId: ref, exit };
    // An end step Vigil exported is a real end of the run.
    if (list.exitKind === 'terminate' && this.isStoredEnd(ref)) return { kind: 'node', cacaoId: ref, exit: { kind: 'terminate' } };
    switch (exit.kind) {
      case 'terminate':
        return { kind: 'node', cacaoId: ref, exit };
      case 'scopeEnd':
        return { kind: 'exit' };
      case 'continue': {
        const after = this.resolve(exit.cacaoId, exit.outer, list, seen);
        // An end Vigil exported after the branching step keeps its status: route there.
        if (after.kind === 'node' && this.isStoredEnd(after.cacaoId)) return after;
        // Returning to a branching step that is itself followed by the end: this end is the end.
        const ends = (after.kind === 'node' && this.workflow[after.cacaoId]?.type === 'end') || (after.kind === 'exit' && list.exitKind === 'terminate');
        return ends ? { kind: 'node', cacaoId: ref, exit: { kind: 'terminate' } } : after;
      }
    }
  }

  /** Where processing goes when a step names no successor. */
  private exitTarget(exit: Exit, list: StepList): Target {
    return exit.kind === 'continue' ? this.resolve(exit.cacaoId, exit.outer, list) : { kind: 'exit' };
  }

  /** The Vigil id a target will have, allocating it on first use. */
  private idOf(target: Target, list: StepList): string {
    switch (target.kind) {
      case 'step':
        return target.id;
      case 'exit':
        list.exitId ??= this.ids.allocate(list.exitKind === 'terminate' ? 'end' : `${list.label}_done`);
        return list.exitId;
      case 'node': {
        const known = list.ids.get(target.cacaoId);
        if (known) return known;
        const step = this.workflow[target.cacaoId]!;
        const storedId = readStoredStep(step.step_extensions)?.id;
        const id = storedId && this.ids.reserve(storedId) ? storedId : this.ids.allocate(slugStepId(step.name, step.type.replace(/-/g, '_')));
        list.ids.set(target.cacaoId, id);
        return id;
      }
    }
  }

  /** Converts the CACAO step a target names, unless done already or deferred. */
  private build(target: Target, list: StepList): void {
    if (target.kind !== 'node') return;
    const { cacaoId, exit } = target;
    // A step reached again (a loop back, or branches meeting) is converted once, where first reached.
    if (list.converted.has(cacaoId)) return;
    if (list.pending.has(cacaoId)) {
      list.wanted.add(cacaoId);
      return;
    }
    list.converted.add(cacaoId);
    const step = this.workflow[cacaoId]!;
    if (step.delay !== undefined && step.delay > 0) this.warn(`${stepLabel(step, cacaoId)}: delay ${step.delay}ms is not imported; add a wait step if it matters`);
    switch (step.type) {
      case 'end':
        this.convertEnd(cacaoId, list);
        return;
      case 'action':
        this.convertAction(cacaoId, step, exit, list);
        return;
      case 'playbook-action':
        this.convertPlaybookAction(cacaoId, step, exit, list);
        return;
      case 'if-condition':
        this.convertIf(cacaoId, step, exit, list);
        return;
      case 'switch-condition':
        this.convertSwitch(cacaoId, step, exit, list);
        return;
      case 'parallel':
        this.convertParallel(cacaoId, step, exit, list);
        return;
      case 'while-condition':
        this.convertWhile(cacaoId, step, exit, list);
        return;
      case 'start':
        // resolve() walks through start steps; nothing to emit.
        return;
    }
  }

  /**
   * Adds a step that continues with `next`, then converts where it leads. CACAO's on_failure is
   * `onFailure`, except on manual tasks where it is the analyst's rejection (`onReject`).
   */
  private emit(step: Step, list: StepList, next: Target, failure?: Target, failureAs?: 'onReject' | 'onFailure'): void {
    list.steps.push(step);
    list.successors.set(step.id, next);
    if (failure) {
      const as = failureAs ?? (step.kind === 'approval' ? 'onReject' : 'onFailure');
      if (as === 'onReject' && step.kind === 'approval') step.onReject = this.idOf(failure, list);
      else step.onFailure = { goto: this.idOf(failure, list) };
    }
    this.build(next, list);
    // The workflow_exception handler is converted last, after the main flow.
    if (failure && failure !== this.exceptionTarget) this.build(failure, list);
  }

  private successor(step: CacaoWorkflowStep, exit: Exit, list: StepList): Target {
    return this.resolve(step.on_completion ?? step.on_success, exit, list);
  }

  /** on_failure, or the playbook's workflow_exception for top-level steps that can fail. */
  private failure(step: CacaoWorkflowStep, exit: Exit, list: StepList, kind: StepKind): Target | undefined {
    if (step.on_failure !== undefined) return this.resolve(step.on_failure, exit, list);
    if (this.exceptionHandler() === undefined || (kind !== 'action' && kind !== 'playbook')) return undefined;
    if (list.exitKind === 'terminate') return this.exceptionTarget;
    if (this.exceptionTarget && !this.warnedNestedException) {
      this.warnedNestedException = true;
      this.warn('workflow_exception is not applied to steps inside parallel branches or loops: Vigil routes only within a list');
    }
    return undefined;
  }

  private baseFields(cacaoId: string, step: CacaoWorkflowStep, list: StepList, stored: StoredStep | undefined): { id: string; name?: string } {
    const id = this.idOf({ kind: 'node', cacaoId, exit: { kind: 'terminate' } }, list);
    // A name Vigil wrote only because the step had none stays out; one edited elsewhere is kept.
    const name = stored && stored.fields['name'] === undefined && step.name === stored.id ? undefined : step.name;
    return name !== undefined ? { id, name } : { id };
  }

  private convertEnd(cacaoId: string, list: StepList): void {
    const step = this.workflow[cacaoId]!;
    const stored = readStoredStep(step.step_extensions);
    const fields = stored?.kind === 'end' ? stored.fields : {};
    list.steps.push({ ...fields, ...this.baseFields(cacaoId, step, list, stored), kind: 'end' } as Step);
  }

  // -------------------------------------------------------------------------------------------
  // Action steps: one Vigil step per command

  private convertAction(cacaoId: string, step: CacaoActionStep, exit: Exit, list: StepList): void {
    const stored = readStoredStep(step.step_extensions);
    const base = this.baseFields(cacaoId, step, list, stored);
    const label = stepLabel(step, cacaoId);
    const commands = step.commands ?? [];
    let steps: Step[] = commands.map((command, i) => {
      const id = i === 0 ? base.id : this.ids.allocate(`${base.id}_${i + 1}`);
      const name = commands.length > 1 && base.name ? `${base.name} (${i + 1}/${commands.length})` : base.name;
      return this.commandStep(step, command, name !== undefined ? { id, name } : { id }, label, cacaoId, i);
    });
    // CACAO requires commands; an action without any (as in OASIS's layout example) is a task for an analyst.
    if (steps.length === 0) steps = [this.manualTask(this.commandlessQuestion(step), base, step.timeout !== undefined ? formatDuration(step.timeout) : undefined)];
    if (stored && steps.length === 1) {
      const restored = this.restore(steps[0]!, stored, ['action', 'approval', 'set', 'wait', 'notify', 'status'], label);
      if (restored) steps = [restored];
    }
    if (step.out_args && step.out_args.length > 0) {
      const last = steps[steps.length - 1]!;
      if (last.kind === 'action' && step.out_args.length === 1 && last.output === undefined) last.output = this.variableName(step.out_args[0]!);
      else if (last.kind !== 'action' || last.output === undefined)
        this.warn(`${label}: out_args ${step.out_args.join(', ')} are not imported; bind the output with \`output\` or a set step`);
    }
    const next = this.successor(step, exit, list);
    steps.forEach((vigilStep, i) => {
      const following: Target = i + 1 < steps.length ? { kind: 'step', id: steps[i + 1]!.id } : next;
      this.emit(vigilStep, list, following, this.failure(step, exit, list, vigilStep.kind), stored?.failureRoute);
    });
  }

  /** Replaces a converted step by the Vigil step stored in the extension, when the kinds fit. */
  private restore(converted: Step, stored: StoredStep, kinds: StepKind[], label: string): Step | undefined {
    if (!kinds.includes(stored.kind)) {
      this.warn(`${label}: the Vigil details stored on the step are for a ${stored.kind} step, which does not fit; they are ignored`);
      return undefined;
    }
    const keep: Record<string, unknown> = { id: converted.id };
    if (converted.name !== undefined) keep['name'] = converted.name;
    return { ...stored.fields, ...keep, kind: stored.kind } as Step;
  }

  private commandStep(step: CacaoActionStep, command: CacaoCommand, base: { id: string; name?: string }, label: string, cacaoId: string, index: number): Step {
    const timeout = step.timeout !== undefined ? formatDuration(step.timeout) : undefined;
    switch (command.type) {
      case 'http-api': {
        const action = this.httpAction(step, command, base, label);
        if (timeout) action.timeout = timeout;
        return action;
      }
      case 'openc2-http':
      case 'openc2': {
        if (command.type === 'openc2') this.warn(`${label}: command type 'openc2' is not CACAO's; it is read as openc2-http`);
        const action = this.openc2Action(command, base, cacaoId, index);
        if (timeout) action.timeout = timeout;
        return action;
      }
      case 'manual':
        return this.manualTask(this.template(commandText(command) ?? step.description ?? step.name ?? 'Complete the manual task'), base, timeout);
      default: {
        const text = commandText(command);
        const where = this.targetNames(step);
        const question = [
          step.description,
          `Run this ${command.type} command by hand${where ? ` on ${where}` : ''} and confirm when done:`,
          text !== undefined ? this.template(text) : '(the command is not given as text)',
        ]
          .filter((part) => part !== undefined && part !== '')
          .join('\n');
        this.warn(`${label}: Vigil does not run ${command.type} commands; the step is imported as a manual task for an analyst`);
        return this.manualTask(question, base, timeout);
      }
    }
  }

  private commandlessQuestion(step: CacaoActionStep): string {
    const what = [step.name, step.description].filter((part) => part !== undefined && part !== '').join(': ');
    return `${what !== '' ? `${this.template(what)}\n` : ''}This step has no command in the CACAO playbook: do it by hand and confirm when done.`;
  }

  private manualTask(question: string, base: { id: string; name?: string }, timeout: string | undefined): ApprovalStep {
    return {
      ...base,
      kind: 'approval',
      question,
      levels: [{ roles: [...this.roles], timeout: timeout ?? DEFAULT_APPROVAL_TIMEOUT }],
      defaultOutcome: 'reject',
    };
  }

  private targetNames(step: CacaoActionStep): string {
    return (step.targets ?? [])
      .map((id) => this.doc.target_definitions?.[id]?.name)
      .filter((name): name is string => name !== undefined)
      .join(', ');
  }

  private httpTarget(step: CacaoActionStep): CacaoAgentTarget | undefined {
    for (const id of step.targets ?? []) {
      const target = this.doc.target_definitions?.[id];
      if (target?.address && Object.keys(target.address).length > 0) return target;
    }
    return undefined;
  }

  /** Absolute URL for a request target: as given when absolute, else on the step's http-api target. */
  private requestUrl(step: CacaoActionStep, requestTarget: string): string | undefined {
    if (/^https?:\/\//i.test(requestTarget)) return requestTarget;
    const target = this.httpTarget(step);
    if (!target?.address) return undefined;
    const path = requestTarget === '' || requestTarget.startsWith('/') ? requestTarget : `/${requestTarget}`;
    const first = (key: string): string | undefined => {
      const value = target.address?.[key]?.[0];
      return value === undefined ? undefined : String(value);
    };
    const url = first('url');
    const host = first('dname') ?? first('ipv4') ?? (first('ipv6') !== undefined ? `[${first('ipv6')}]` : undefined);
    if (host === undefined) return url !== undefined ? `${url.replace(/\/+$/, '')}${path}` : undefined;
    // CACAO's http-api target defaults to port 80; like SOARCA, ports other than 80 and 8080 mean https.
    const port = target.port ?? '80';
    const scheme = port === '80' || port === '8080' ? 'http' : 'https';
    const defaultPort = (scheme === 'http' && port === '80') || (scheme === 'https' && port === '443');
    return `${scheme}://${host}${defaultPort ? '' : `:${port}`}${path}`;
  }

  private headers(command: CacaoCommand, drop?: (name: string, value: string) => boolean): Record<string, string> | undefined {
    if (!command.headers) return undefined;
    const headers: Record<string, string> = {};
    for (const [name, values] of Object.entries(command.headers)) {
      const value = values.join(', ');
      if (!drop?.(name, value)) headers[name] = this.template(value);
    }
    return Object.keys(headers).length > 0 ? headers : undefined;
  }

  private httpAction(step: CacaoActionStep, command: CacaoCommand, base: { id: string; name?: string }, label: string): ActionStep {
    const start = command.command !== undefined ? parseHttpStartLine(command.command) : undefined;
    if (command.command !== undefined && !start && command.url === undefined) this.warn(`${label}: '${command.command}' is not an HTTP start line such as "GET /path HTTP/1.1"`);
    const method = (command.http_method ?? start?.method ?? 'GET').toUpperCase();
    const requestTarget = command.url ?? start?.target ?? '';
    const body = command.content ?? (command.content_b64 !== undefined ? decodeBase64Text(command.content_b64) : undefined);

    // An integration action Vigil exported: POST /vigil/actions/<key> with the parameters as JSON.
    const key = requestTarget.startsWith(VIGIL_ACTION_PATH_PREFIX) ? requestTarget.slice(VIGIL_ACTION_PATH_PREFIX.length) : undefined;
    if (key !== undefined && /^[a-z][a-z0-9_-]*\.[a-z][a-z0-9_.-]*$/.test(key)) {
      const action: ActionStep = { ...base, kind: 'action', action: key };
      if (body !== undefined && body.trim() !== '') {
        const params = parseJson(body);
        if (isRecord(params)) action.with = mapStrings(params, (text) => this.template(text)) as Record<string, unknown>;
        else this.warn(`${label}: the parameters of ${key} are not a JSON object; they are not imported`);
      }
      return action;
    }

    let url = this.requestUrl(step, requestTarget);
    if (url === undefined) {
      url = requestTarget;
      this.warn(`${label}: no http-api target gives a host for '${requestTarget}'; set the full URL on the imported step`);
    }
    const params: Record<string, unknown> = { method, url: this.template(url) };
    const headers = this.headers(command);
    if (headers) params['headers'] = headers;
    if (body !== undefined) params['body'] = this.template(body);
    return { ...base, kind: 'action', action: HTTP_REQUEST_ACTION, with: params };
  }

  /** Any OpenC2 command becomes `openc2.command`; it goes to the tenant's OpenC2 consumer connection, not to a URL in the playbook. */
  private openc2Action(command: CacaoCommand, base: { id: string; name?: string }, cacaoId: string, index: number): ActionStep {
    const text = command.content_b64 !== undefined ? decodeBase64Text(command.content_b64) : command.content;
    const request = openc2Request(text !== undefined ? parseJson(text) : undefined);
    if (!request) {
      this.refuse(
        jsonPointer('workflow', cacaoId, 'commands', index),
        'openc2 content',
        'the content of an openc2-http command must be a JSON OpenC2 command (bare or in an OpenC2 message)',
      );
      return { ...base, kind: 'action', action: OPENC2_COMMAND_ACTION, with: {} };
    }
    return { ...base, kind: 'action', action: OPENC2_COMMAND_ACTION, with: { request: mapStrings(request, (s) => this.template(s)) as Record<string, unknown> } };
  }

  // -------------------------------------------------------------------------------------------
  // Playbook-action

  private convertPlaybookAction(cacaoId: string, step: CacaoPlaybookActionStep, exit: Exit, list: StepList): void {
    const stored = readStoredStep(step.step_extensions);
    const label = stepLabel(step, cacaoId);
    const base = this.baseFields(cacaoId, step, list, stored);
    const playbookId = this.options.resolvePlaybookId?.(step.playbook_id);
    if (playbookId === undefined && stored?.kind !== 'playbook') {
      this.warn(`${label}: playbook ${step.playbook_id} is kept as the sub-playbook id; import that playbook or point the step at its Vigil id`);
    }
    let vigilStep: SubPlaybookStep = { ...base, kind: 'playbook', playbook: playbookId ?? step.playbook_id };
    if (step.in_args && step.in_args.length > 0) {
      vigilStep.inputs = Object.fromEntries(step.in_args.map((key) => [this.variableName(key), `vars.${this.variableName(key)}`]));
    }
    if (step.out_args && step.out_args.length > 0) this.warn(`${label}: out_args are not imported; read the child's results from steps.${base.id}.output`);
    if (stored) {
      const restored = this.restore(vigilStep, stored, ['playbook'], label);
      if (restored?.kind === 'playbook') {
        vigilStep = restored;
        if (playbookId !== undefined) vigilStep.playbook = playbookId;
      }
    }
    if (step.timeout !== undefined && vigilStep.timeout === undefined) {
      const timeout = formatDuration(step.timeout);
      if (timeout) vigilStep.timeout = timeout;
    }
    this.emit(vigilStep, list, this.successor(step, exit, list), this.failure(step, exit, list, 'playbook'));
  }

  // -------------------------------------------------------------------------------------------
  // Conditions

  /** The Vigil expression of a condition (or switch); a construct Vigil refuses is recorded and stops the import. */
  private expression(text: string, cacaoId: string, property: 'condition' | 'switch'): string {
    const translated = property === 'switch' ? translateCacaoSwitch(text, this.variableName) : translateCacaoCondition(text, this.variableName);
    if (translated.ok) return translated.expression;
    this.refuse(jsonPointer('workflow', cacaoId, property), translated.construct, translated.message);
    return 'false';
  }

  private refuse(pointer: string, construct: string, message: string): void {
    this.unsupported.push({ pointer, construct, message });
  }

  private branchExit(step: CacaoWorkflowStep, exit: Exit): Exit {
    const continuation = step.on_completion ?? step.on_success;
    return continuation !== undefined ? { kind: 'continue', cacaoId: continuation, outer: exit } : exit;
  }

  /** Converts the branches, then what follows the branching step, so the list reads in order. */
  private buildBranches(step: CacaoWorkflowStep, exit: Exit, list: StepList, branches: Target[]): void {
    const continuation = step.on_completion ?? step.on_success;
    const after = continuation !== undefined ? this.resolve(continuation, exit, list) : undefined;
    const deferred = after?.kind === 'node' && !list.pending.has(after.cacaoId) ? after.cacaoId : undefined;
    if (deferred) list.pending.add(deferred);
    for (const branch of branches) this.build(branch, list);
    if (deferred) list.pending.delete(deferred);
    // Only when a branch returns to it: branches that all end leave nothing after the step.
    if (after && (after.kind !== 'node' || list.ids.has(after.cacaoId) || list.wanted.has(after.cacaoId))) this.build(after, list);
  }

  private convertIf(cacaoId: string, step: CacaoIfConditionStep, exit: Exit, list: StepList): void {
    const stored = readStoredStep(step.step_extensions);
    const inner = this.branchExit(step, exit);
    const whenTrue = this.resolve(step.on_true, inner, list);
    const whenFalse = step.on_false !== undefined ? this.resolve(step.on_false, inner, list) : this.exitTarget(inner, list);
    const base = this.baseFields(cacaoId, step, list, stored);
    const storedIf = stored?.kind === 'condition' ? stored.fields['if'] : undefined;
    const condition: Step = {
      ...(stored?.kind === 'condition' ? stored.fields : {}),
      ...base,
      kind: 'condition',
      if: typeof storedIf === 'string' ? storedIf : this.expression(step.condition, cacaoId, 'condition'),
      then: this.idOf(whenTrue, list),
      else: this.idOf(whenFalse, list),
    };
    list.steps.push(condition);
    this.buildBranches(step, exit, list, [whenTrue, whenFalse]);
  }

  private convertSwitch(cacaoId: string, step: CacaoSwitchConditionStep, exit: Exit, list: StepList): void {
    const stored = readStoredStep(step.step_extensions);
    const inner = this.branchExit(step, exit);
    const branches: Target[] = [];
    const cases: Record<string, string> = {};
    let fallback: Target | undefined;
    for (const [value, ref] of Object.entries(step.cases)) {
      const target = this.resolve(ref, inner, list);
      branches.push(target);
      if (value === 'default') fallback = target;
      else cases[value] = this.idOf(target, list);
    }
    fallback ??= this.exitTarget(inner, list);
    branches.push(fallback);
    const storedOn = stored?.kind === 'switch' ? stored.fields['on'] : undefined;
    if (step.switch === undefined && typeof storedOn !== 'string') {
      this.manualDecision(cacaoId, step, list, stored, cases, this.idOf(fallback, list));
      this.buildBranches(step, exit, list, branches);
      return;
    }
    const vigilStep: Step = {
      ...(stored?.kind === 'switch' ? stored.fields : {}),
      ...this.baseFields(cacaoId, step, list, stored),
      kind: 'switch',
      on: typeof storedOn === 'string' ? storedOn : this.expression(step.switch ?? '', cacaoId, 'switch'),
      cases,
      default: this.idOf(fallback, list),
    };
    list.steps.push(vigilStep);
    this.buildBranches(step, exit, list, branches);
  }

  /**
   * A switch without a value (OASIS's layout example has one) cannot pick a case by itself: an analyst
   * does, one approval per case ("take case '1'?"), approving goes to that case, rejecting (or no
   * answer) asks about the next, and the last rejection goes to the default case.
   */
  private manualDecision(cacaoId: string, step: CacaoSwitchConditionStep, list: StepList, stored: StoredStep | undefined, cases: Record<string, string>, fallback: string): void {
    const base = this.baseFields(cacaoId, step, list, stored);
    const values = Object.keys(cases);
    const title = step.name ?? 'Switch';
    if (values.length === 0) {
      list.steps.push({ ...base, kind: 'set', vars: {}, next: fallback });
      return;
    }
    const ids = values.map((_, i) => (i === 0 ? base.id : this.ids.allocate(`${base.id}_${i + 1}`)));
    values.forEach((value, i) => {
      const question = `${this.template(title)}: the CACAO playbook gives no value to switch on. Take the case '${value}'?${i + 1 < values.length ? ' (Reject to be asked about the next case.)' : ' (Reject for the default case.)'}`;
      const approval: ApprovalStep = {
        ...this.manualTask(question, { id: ids[i]!, ...(base.name !== undefined ? { name: values.length > 1 ? `${base.name} (case ${value})` : base.name } : {}) }, undefined),
        onApprove: cases[value]!,
        onReject: ids[i + 1] ?? fallback,
      };
      list.steps.push(approval);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Nested lists: parallel branches and loop bodies

  /** Converts the chain starting at `entry` into its own list, ending at the list's stops or end steps. */
  private nested(entry: string, stops: Set<string>, label: string): Step[] {
    const list = new StepList('scopeEnd', stops, label);
    const target = this.resolve(entry, { kind: 'scopeEnd' }, list);
    this.build(target, list);
    this.finish(list);
    return list.steps;
  }

  /** Steps reachable from `entry` without passing `stops`, in depth-first order. */
  private reach(entry: string, stops: ReadonlySet<string>): string[] {
    const order: string[] = [];
    const seen = new Set<string>();
    const visit = (id: string | undefined): void => {
      if (id === undefined || seen.has(id) || stops.has(id)) return;
      const step = this.workflow[id];
      if (!step || step.type === 'end') return;
      seen.add(id);
      order.push(id);
      for (const next of pointersOf(step)) visit(next);
    };
    visit(entry);
    return order;
  }

  private noop(label: string, name: string): SetStep {
    return { kind: 'set', id: this.ids.allocate(label), name, vars: {} };
  }

  private convertParallel(cacaoId: string, step: CacaoParallelStep, exit: Exit, list: StepList): void {
    const label = stepLabel(step, cacaoId);
    const stored = readStoredStep(step.step_extensions);
    const base = this.baseFields(cacaoId, step, list, stored);
    let continuation = step.on_completion ?? step.on_success;

    // Branches that do not end in end steps end where they meet: the first step two branches share.
    const baseStops = new Set([cacaoId, ...(continuation !== undefined ? [continuation] : [])]);
    const reached = step.next_steps.map((entry) => this.reach(entry, baseStops));
    const counts = new Map<string, number>();
    for (const ids of reached) for (const id of new Set(ids)) counts.set(id, (counts.get(id) ?? 0) + 1);
    const shared = new Set([...counts].filter(([, n]) => n > 1).map(([id]) => id));
    if (continuation === undefined && shared.size > 0) {
      continuation = reached.flat().find((id) => shared.has(id));
      if (continuation !== undefined) this.warn(`${label}: the branches meet at ${continuation} without on_completion; the import continues there after the parallel step`);
    }
    const stops = new Set([...baseStops, ...shared, ...(continuation !== undefined ? [continuation] : [])]);

    const branches = step.next_steps.map((entry, i) => this.nested(entry, stops, `${base.id}_branch_${i + 1}`)).filter((branch) => branch.length > 0);
    const next = continuation !== undefined ? this.resolve(continuation, exit, list) : this.exitTarget(exit, list);
    if (branches.length === 0) {
      this.warn(`${label}: every branch is empty; the parallel step is imported as a step that does nothing`);
      this.emit({ kind: 'set', id: base.id, name: base.name ?? 'Empty parallel step', vars: {} }, list, next);
      return;
    }
    let vigilStep: ParallelStep = { ...base, kind: 'parallel', branches };
    if (stored?.kind === 'parallel' && stored.fields['join'] === 'any') vigilStep = { ...vigilStep, join: 'any' };
    this.emit(vigilStep, list, next, this.failure(step, exit, list, 'parallel'));
  }

  private convertWhile(cacaoId: string, step: CacaoWhileConditionStep, exit: Exit, list: StepList): void {
    const label = stepLabel(step, cacaoId);
    const stored = readStoredStep(step.step_extensions);
    const base = this.baseFields(cacaoId, step, list, stored);
    const continuation = step.on_completion ?? step.on_success;
    const stops = new Set([cacaoId, ...(continuation !== undefined ? [continuation] : [])]);
    let body = this.nested(step.on_true, stops, `${base.id}_body`);
    if (body.length === 0) {
      this.warn(`${label}: the loop body is empty`);
      body = [this.noop(`${base.id}_body`, 'Empty loop body')];
    }
    let vigilStep: LoopStep | ForeachStep;
    if (stored?.kind === 'foreach') {
      vigilStep = { ...(stored.fields as Omit<ForeachStep, 'id' | 'kind' | 'steps'>), ...base, kind: 'foreach', steps: body };
    } else {
      const storedLoop = stored?.kind === 'loop' ? stored.fields : {};
      const condition = typeof storedLoop['while'] === 'string' ? storedLoop['while'] : this.expression(step.condition, cacaoId, 'condition');
      const max = typeof storedLoop['maxIterations'] === 'number' ? storedLoop['maxIterations'] : (this.options.maxIterations ?? DEFAULT_MAX_ITERATIONS);
      vigilStep = { ...storedLoop, ...base, kind: 'loop', while: condition, maxIterations: max, steps: body };
    }
    const next = this.resolve(continuation, exit, list);
    this.emit(vigilStep, list, next, this.failure(step, exit, list, vigilStep.kind));
  }

  // -------------------------------------------------------------------------------------------
  // Fall-through

  /**
   * Sets `next` wherever a step's successor is not the following list element, ends the list
   * with its exit step when one is routed to, and writes failure routes to the following step
   * as `continue`.
   */
  private finish(list: StepList): void {
    const steps = list.steps;
    const wantsExit = (i: number): boolean => list.successors.get(steps[i]!.id)?.kind === 'exit' && i < steps.length - 1;
    // Top level: falling off the end ends the run, but an `end` step makes the end explicit.
    const lastRoutesOut = steps.length > 0 && list.successors.get(steps[steps.length - 1]!.id)?.kind === 'exit';
    if (steps.some((_, i) => wantsExit(i)) || (list.exitKind === 'terminate' && lastRoutesOut)) this.idOf({ kind: 'exit' }, list);
    if (list.exitId !== undefined) {
      steps.push(list.exitKind === 'terminate' ? { kind: 'end', id: list.exitId } : this.noopExit(list));
    }
    steps.forEach((step, i) => {
      steps[i] = step = ordered(step);
      const following = steps[i + 1]?.id;
      const next = list.successors.get(step.id);
      if (next !== undefined && !(next.kind === 'exit' && i === steps.length - 1)) {
        const id = this.idOf(next, list);
        if (id !== following) step.next = id;
      }
      // `continue` goes on with the following element, which is where this failure route leads.
      if (typeof step.onFailure === 'object' && step.onFailure.goto === following) step.onFailure = 'continue';
    });
  }

  private noopExit(list: StepList): SetStep {
    return { kind: 'set', id: list.exitId!, name: 'End of branch', vars: {} };
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/** The same step with id, name and kind first, for readable YAML. */
function ordered(step: Step): Step {
  const { id, name, kind, ...rest } = step;
  return { id, ...(name !== undefined ? { name } : {}), kind, ...rest } as Step;
}

function commandText(command: CacaoCommand): string | undefined {
  if (command.command !== undefined) return command.command;
  if (command.command_b64 !== undefined) return decodeBase64Text(command.command_b64);
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The OpenC2 command in a message: bare, or wrapped as `{headers, body: {openc2: {request}}}`. */
function openc2Request(message: unknown): Record<string, unknown> | undefined {
  if (!isRecord(message)) return undefined;
  const body = message['body'];
  const wrapped = isRecord(body) ? body['openc2'] : message['openc2'];
  if (isRecord(wrapped) && isRecord(wrapped['request'])) return wrapped['request'];
  return typeof message['action'] === 'string' ? message : undefined;
}

function pointersOf(step: CacaoWorkflowStep): string[] {
  const out: string[] = [];
  const push = (value: string | undefined): void => {
    if (value !== undefined) out.push(value);
  };
  push(step.on_completion);
  push(step.on_success);
  push(step.on_failure);
  switch (step.type) {
    case 'if-condition':
      push(step.on_true);
      push(step.on_false);
      break;
    case 'while-condition':
      push(step.on_true);
      break;
    case 'parallel':
      out.push(...step.next_steps);
      break;
    case 'switch-condition':
      out.push(...Object.values(step.cases));
      break;
    default:
      break;
  }
  return out;
}
