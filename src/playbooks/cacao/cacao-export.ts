/**
 * Export of Vigil playbooks as OASIS CACAO 2.0 playbooks.
 *
 * Identifiers are name-based UUIDs (version 5) of the playbook id and step ids, so exporting the
 * same playbook twice gives the same document. Vigil's lists become CACAO's graph: every step gets
 * explicit pointers, and the branches of conditions and switches end in their own end steps at
 * the point where they meet again (the condition's immediate post-dominator), which becomes the
 * condition's on_completion, as the specification asks. Parallel branches and loop bodies end in
 * their own end steps too.
 *
 * What CACAO cannot say (integration action keys and parameters, `set` expressions, approval
 * levels, loop bounds, end status, …) travels in the Vigil extension, so Vigil imports its own
 * exports without loss while other CACAO tools still see a complete, valid workflow.
 */
import { parseDuration } from '../../../workflows/language/duration.js';
import type { ApprovalStep, ActionStep, NotifyStep, Playbook, PlaybookInput, SetStep, StatusStep, Step, WaitStep } from '../../../workflows/language/playbook.types.js';
import { stepLists, stepRoutes } from '../../../workflows/language/step-model.js';
import type { CacaoActionStep, CacaoAgentTarget, CacaoCommand, CacaoPlaybook, CacaoProcessingSummary, CacaoVariable, CacaoWorkflowStep } from './cacao.types.js';
import {
  cacaoVariableKey,
  encodeBase64Text,
  expressionToCacaoCondition,
  isIdentifier,
  isRecord,
  literalVariable,
  mapStrings,
  templateToCacaoText,
  uuidV5,
  VIGIL_EXTENSION_ID,
  VIGIL_UUID_NAMESPACE,
  vigilVariablesIn,
} from './cacao-shared.js';
import { HTTP_REQUEST_ACTION, OPENC2_ALLOW_IPV4_ACTION, OPENC2_COMMAND_ACTION, OPENC2_CONTENT_TYPE, OPENC2_DENY_IPV4_ACTION, VIGIL_ACTION_PATH_PREFIX } from './cacao-import.js';
import { vigilExpressionToStix, vigilSwitchVariable } from './cacao-condition-export.js';
import { playbookExtensions, stepExtensions, vigilExtensionDefinition, type VigilFailureRoute } from './cacao-vigil-extension.js';

export interface CacaoExportOptions {
  /** An `identity--<uuid>` identifier, or a name from which one is derived; default: Vigil. */
  createdBy?: string;
  /** Written as created and modified. */
  now: Date;
  /** Changes every derived identifier; the same seed gives the same ids. */
  idSeed?: string;
}

export interface CacaoExportResult {
  document: CacaoPlaybook;
  /** What other CACAO tools will not see as Vigil runs it (the Vigil extension still keeps it). */
  warnings: string[];
}

/** Exports a Vigil playbook as a CACAO 2.0 document that passes `validateCacao`. */
export function exportCacao(playbook: Playbook, options: CacaoExportOptions): CacaoPlaybook {
  return exportCacaoWithWarnings(playbook, options).document;
}

export function exportCacaoWithWarnings(playbook: Playbook, options: CacaoExportOptions): CacaoExportResult {
  return new CacaoExporter(playbook, options).run();
}

function namespaceFor(idSeed: string | undefined): string {
  return uuidV5(`vigil-export:${idSeed ?? 'vigil'}`, VIGIL_UUID_NAMESPACE);
}

/** The CACAO id `exportCacao` gives a Vigil playbook: use it to reference a sub-playbook exported separately. */
export function cacaoPlaybookId(vigilPlaybookId: string, idSeed?: string): string {
  return `playbook--${uuidV5(`playbook:${vigilPlaybookId}`, namespaceFor(idSeed))}`;
}

// ---------------------------------------------------------------------------------------------
// Lists as graphs

const EXIT = '\u0000exit';

/** One Vigil step list with its fall-through order and immediate post-dominators. */
class ListGraph {
  readonly index = new Map<string, number>();
  private readonly ipdoms = new Map<string, string>();

  constructor(
    readonly steps: Step[],
    readonly label: string,
    private readonly onUnknownRoute: (from: string, to: string) => void,
  ) {
    steps.forEach((step, i) => this.index.set(step.id, i));
    this.computePostDominators();
  }

  /** The step after `i` in the list, or the end of the list. */
  following(i: number): string {
    return this.steps[i + 1]?.id ?? EXIT;
  }

  ref(from: string, to: string | undefined, fallback: string): string {
    if (to === undefined) return fallback;
    if (this.index.has(to)) return to;
    this.onUnknownRoute(from, to);
    return EXIT;
  }

  successor(step: Step): string {
    return this.ref(step.id, step.next, this.following(this.index.get(step.id)!));
  }

  /** Where a failure goes: undefined when it stops the run. */
  failure(step: Step): string | undefined {
    if (step.onFailure === undefined || step.onFailure === 'fail') return undefined;
    if (step.onFailure === 'continue') return this.following(this.index.get(step.id)!);
    return this.ref(step.id, step.onFailure.goto, EXIT);
  }

  /** Every step a step can pass control to. */
  edges(step: Step): string[] {
    const i = this.index.get(step.id)!;
    const fallThrough = this.following(i);
    const out: string[] = [];
    switch (step.kind) {
      case 'end':
        return [EXIT];
      case 'condition':
        out.push(this.ref(step.id, step.then, fallThrough), this.ref(step.id, step.else, fallThrough));
        break;
      case 'switch':
        for (const target of Object.values(step.cases)) out.push(this.ref(step.id, target, fallThrough));
        out.push(this.ref(step.id, step.default, fallThrough));
        break;
      case 'approval': {
        const next = this.successor(step);
        out.push(this.ref(step.id, step.onApprove, next), this.ref(step.id, step.onReject, next));
        break;
      }
      default:
        out.push(this.successor(step));
    }
    if (step.when !== undefined) out.push(this.successor(step));
    const failure = this.failure(step);
    if (failure !== undefined) out.push(failure);
    return out;
  }

  /** Where the branches leaving a step meet again: EXIT when they only meet at the end of the run. */
  ipdom(id: string): string {
    return this.ipdoms.get(id) ?? EXIT;
  }

  private computePostDominators(): void {
    const nodes = [...this.steps.map((s) => s.id), EXIT];
    const all = new Set(nodes);
    const pdom = new Map<string, Set<string>>(nodes.map((n) => [n, n === EXIT ? new Set([EXIT]) : new Set(all)]));
    const succ = new Map(this.steps.map((s) => [s.id, [...new Set(this.edges(s))]]));
    for (let changed = true; changed;) {
      changed = false;
      for (const step of [...this.steps].reverse()) {
        const next = succ.get(step.id)!;
        let meet: Set<string> | undefined;
        for (const s of next) {
          const other = pdom.get(s)!;
          meet = meet === undefined ? new Set(other) : new Set([...meet].filter((x) => other.has(x)));
        }
        const updated = new Set([step.id, ...(meet ?? [])]);
        if (updated.size !== pdom.get(step.id)!.size) {
          pdom.set(step.id, updated);
          changed = true;
        }
      }
    }
    // Steps that never reach the end (endless loops) have no meeting point: they keep EXIT.
    const ends = new Set([EXIT]);
    for (let grew = true; grew;) {
      grew = false;
      for (const step of this.steps) {
        if (!ends.has(step.id) && succ.get(step.id)!.some((s) => ends.has(s))) {
          ends.add(step.id);
          grew = true;
        }
      }
    }
    for (const step of this.steps) {
      if (!ends.has(step.id)) continue;
      const strict = [...pdom.get(step.id)!].filter((n) => n !== step.id);
      // The immediate post-dominator is the strict one that all others post-dominate.
      const immediate = strict.find((candidate) => strict.every((other) => pdom.get(candidate)!.has(other)));
      if (immediate !== undefined) this.ipdoms.set(step.id, immediate);
    }
  }
}

/** Where pointers to the region's stop go: the branch's own end step, made on first use. */
interface Region {
  stop: string;
  end: () => string;
}

// ---------------------------------------------------------------------------------------------

class CacaoExporter {
  private readonly namespace: string;
  private readonly createdBy: string;
  private readonly warnings: string[] = [];
  private readonly workflow: Record<string, CacaoWorkflowStep> = {};
  private readonly emitted = new Map<string, string>();
  private readonly agents: Record<string, CacaoAgentTarget> = {};
  private readonly targets: Record<string, CacaoAgentTarget> = {};
  private readonly declared: Record<string, CacaoVariable> = {};
  private readonly summary: CacaoProcessingSummary = {};

  constructor(
    private readonly playbook: Playbook,
    private readonly options: CacaoExportOptions,
  ) {
    this.namespace = namespaceFor(options.idSeed);
    const by = options.createdBy;
    this.createdBy = by !== undefined && isIdentifier(by) && by.startsWith('identity--') ? by : `identity--${uuidV5(`identity:${by ?? 'vigil'}`, this.namespace)}`;
  }

  private id(type: string, name: string): string {
    return `${type}--${uuidV5(`${this.playbook.id}:${name}`, this.namespace)}`;
  }

  private warn(message: string): void {
    this.warnings.push(message);
  }

  run(): CacaoExportResult {
    const p = this.playbook;
    const now = this.options.now.toISOString();
    const fold = this.initialVariables();
    this.declareInputs();

    const startId = this.id('start', 'start');
    // Placed first so the workflow reads from the start; its pointer is set once the steps exist.
    this.workflow[startId] = { type: 'start', name: 'Start' };
    const top = new ListGraph(p.steps, 'playbook', (from, to) => this.warn(`step ${from} routes to ${to}, which is not in its list; the route ends the run`));
    let mainEnd: string | undefined;
    const region: Region = {
      stop: EXIT,
      end: () => (mainEnd ??= this.endStep('end', 'End')),
    };
    const entry = fold ? top.following(0) : (top.steps[0]?.id ?? EXIT);
    this.workflow[startId] = { type: 'start', name: 'Start', on_completion: this.pointer(entry, top, region) };
    this.reportUnreachable(p.steps, fold?.id);
    this.declareReferencedVariables();

    const document: CacaoPlaybook = {
      type: 'playbook',
      spec_version: 'cacao-2.0',
      id: cacaoPlaybookId(p.id, this.options.idSeed),
      name: p.name,
      created_by: this.createdBy,
      created: now,
      modified: now,
      playbook_processing_summary: { ...this.summary, extensions: true },
      workflow_start: startId,
      workflow: this.workflow,
      playbook_extensions: playbookExtensions({
        id: p.id,
        version: p.version,
        priority: p.priority,
        triggers: p.triggers,
        inputs: p.inputs,
        initStepId: fold?.id,
        initStepName: fold?.name,
      }),
      extension_definitions: { [VIGIL_EXTENSION_ID]: vigilExtensionDefinition(this.createdBy) },
    };
    if (p.description !== undefined) document.description = p.description;
    if (Object.keys(this.declared).length > 0) document.playbook_variables = this.declared;
    if (Object.keys(this.agents).length > 0) document.agent_definitions = this.agents;
    if (Object.keys(this.targets).length > 0) document.target_definitions = this.targets;
    return { document, warnings: this.warnings };
  }

  // -------------------------------------------------------------------------------------------
  // Variables

  /**
   * A first `set` step that only gives literal values (or copies inputs) is what import makes of
   * playbook_variables: export it back as playbook_variables rather than as a step.
   */
  private initialVariables(): SetStep | undefined {
    const first = this.playbook.steps[0];
    if (first?.kind !== 'set' || Object.keys(first.vars).length === 0 || first.when !== undefined) return undefined;
    if (this.routedTo(first.id)) return undefined;
    const variables: Record<string, CacaoVariable> = {};
    for (const [name, expression] of Object.entries(first.vars)) {
      if (expression.trim() === `inputs.${name}`) {
        variables[cacaoVariableKey(name)] = this.inputVariable(this.playbook.inputs?.find((input) => input.name === name) ?? { name, type: 'string' });
        continue;
      }
      const literal = literalVariable(expression);
      if (!literal) return undefined;
      variables[cacaoVariableKey(name)] = { type: literal.type, value: literal.value };
    }
    Object.assign(this.declared, variables);
    return first;
  }

  private routedTo(id: string): boolean {
    return this.playbook.steps.some((s) => stepRoutes(s).some((route) => route.target === id));
  }

  private inputVariable(input: PlaybookInput): CacaoVariable {
    const type =
      input.type === 'number' ? (Number.isInteger(input.default ?? 0) ? 'integer' : 'float') : input.type === 'boolean' ? 'bool' : input.type === 'list' ? 'dictionary' : 'string';
    const variable: CacaoVariable = { type, external: true };
    if (input.description !== undefined) variable.description = input.description;
    if (input.default !== undefined && input.default !== null) variable.value = typeof input.default === 'string' ? input.default : JSON.stringify(input.default);
    return variable;
  }

  private declareInputs(): void {
    for (const input of this.playbook.inputs ?? []) {
      const key = cacaoVariableKey(input.name);
      this.declared[key] ??= this.inputVariable(input);
    }
  }

  /** Every variable a CACAO reference will name must be declared: the validator insists. */
  private declareReferencedVariables(): void {
    const names = new Set<string>();
    const visit = (value: unknown): void => {
      if (typeof value === 'string') {
        const { vars, inputs } = vigilVariablesIn(value);
        for (const name of [...vars, ...inputs]) names.add(name);
      } else if (Array.isArray(value)) value.forEach(visit);
      else if (isRecord(value)) Object.values(value).forEach(visit);
    };
    const walk = (steps: readonly Step[]): void => {
      for (const step of steps) {
        visit(step);
        if (step.kind === 'action' && step.output) names.add(step.output);
        if (step.kind === 'set') for (const name of Object.keys(step.vars)) names.add(name);
        if (step.kind === 'foreach') names.add(step.as ?? 'item');
        for (const nested of stepLists(step)) walk(nested.steps);
      }
    };
    walk(this.playbook.steps);
    for (const name of names) {
      const key = cacaoVariableKey(name);
      this.declared[key] ??= { type: 'string' };
    }
  }

  private reportUnreachable(steps: readonly Step[], folded: string | undefined): void {
    for (const step of steps) {
      if (!this.emitted.has(step.id) && step.id !== folded) this.warn(`step ${step.id} cannot be reached and is not exported`);
      for (const nested of stepLists(step)) this.reportUnreachable(nested.steps, undefined);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Steps

  private endStep(name: string, title: string): string {
    const id = this.id('end', `end:${name}`);
    this.workflow[id] ??= { type: 'end', name: title };
    return id;
  }

  /** The CACAO id a route leads to, exporting the step on first use. */
  private pointer(ref: string, graph: ListGraph, region: Region): string {
    if (ref === region.stop || ref === EXIT) return region.end();
    return this.exportStep(graph.steps[graph.index.get(ref)!]!, graph, region);
  }

  private cacaoType(step: Step): CacaoWorkflowStep['type'] {
    switch (step.kind) {
      case 'condition':
        return 'if-condition';
      case 'switch':
        return 'switch-condition';
      case 'parallel':
        return 'parallel';
      case 'loop':
      case 'foreach':
        return 'while-condition';
      case 'playbook':
        return 'playbook-action';
      case 'end':
        return 'end';
      default:
        return 'action';
    }
  }

  /** A region for one branch of a branching step: it ends where the branches meet. */
  private branchRegion(step: Step, stop: string, branch: string): Region {
    let end: string | undefined;
    return { stop, end: () => (end ??= this.endStep(`${step.id}:${branch}`, `End of ${step.name ?? step.id} (${branch})`)) };
  }

  /** Exports a nested list (parallel branch or loop body); returns the id of its first step. */
  private exportList(steps: Step[], label: string, owner: Step): string {
    const graph = new ListGraph(steps, label, (from, to) => this.warn(`step ${from} routes to ${to}, which is not in its list; the route ends the ${label}`));
    for (const step of steps) if (step.kind === 'end') this.warn(`end step ${step.id} inside ${owner.id} ends only its ${label} in CACAO`);
    const region = this.branchRegion(owner, EXIT, label);
    return this.pointer(steps[0]?.id ?? EXIT, graph, region);
  }

  private exportStep(step: Step, graph: ListGraph, region: Region): string {
    const known = this.emitted.get(step.id);
    if (known) return known;
    const cacaoId = this.id(this.cacaoType(step), `step:${step.id}`);
    this.emitted.set(step.id, cacaoId);
    // Reserve the key now so the workflow lists steps in the order they are reached.
    this.workflow[cacaoId] = { type: 'end' };
    const base: { name: string; description?: string; timeout?: number } = { name: step.name ?? step.id };
    const notes: string[] = [];
    if (step.when !== undefined) {
      notes.push(`Vigil runs this step only when ${step.when}.`);
      this.warn(`step ${step.id}: its 'when' guard is not expressed in CACAO`);
    }
    const timeout = step.timeout !== undefined ? parseDuration(step.timeout) : undefined;
    if (timeout !== undefined) base.timeout = timeout;
    const next = (): string => this.pointer(graph.successor(step), graph, region);

    let out: CacaoWorkflowStep;
    let failureRoute: VigilFailureRoute | undefined;
    switch (step.kind) {
      case 'end':
        out = { type: 'end', name: base.name };
        break;
      case 'condition': {
        this.summary.if_logic = true;
        const meet = graph.ipdom(step.id);
        const i = graph.index.get(step.id)!;
        out = {
          ...base,
          type: 'if-condition',
          condition: this.condition(step.id, step.if),
          on_true: this.pointer(graph.ref(step.id, step.then, graph.following(i)), graph, this.branchRegion(step, meet, 'true')),
          on_false: this.pointer(graph.ref(step.id, step.else, graph.following(i)), graph, this.branchRegion(step, meet, 'false')),
          on_completion: this.pointer(meet, graph, region),
        };
        break;
      }
      case 'switch': {
        this.summary.switch_logic = true;
        const meet = graph.ipdom(step.id);
        const i = graph.index.get(step.id)!;
        const cases: Record<string, string> = {};
        if ('default' in step.cases) this.warn(`step ${step.id}: the case value 'default' means "no other case" in CACAO`);
        for (const [value, target] of Object.entries(step.cases)) {
          cases[value] = this.pointer(graph.ref(step.id, target, graph.following(i)), graph, this.branchRegion(step, meet, `case ${value}`));
        }
        cases['default'] = this.pointer(graph.ref(step.id, step.default, graph.following(i)), graph, this.branchRegion(step, meet, 'default'));
        out = { ...base, type: 'switch-condition', switch: this.switchValue(step.id, step.on), cases, on_completion: this.pointer(meet, graph, region) };
        break;
      }
      case 'parallel': {
        this.summary.parallel_processing = true;
        const nextSteps = step.branches.map((branch, i) => this.exportList(branch, `branch ${i + 1}`, step));
        // CACAO wants two branches or more; an empty branch (straight to its end) changes nothing.
        for (let i = nextSteps.length; i < 2; i += 1) nextSteps.push(this.endStep(`${step.id}:empty ${i + 1}`, `Empty branch of ${base.name}`));
        if (step.branches.length < 2)
          this.warn(`step ${step.id}: a parallel step with ${step.branches.length} branch(es) gets empty branches in CACAO, which asks for two or more`);
        if (step.join === 'any') notes.push('Vigil goes on when any branch completes.');
        out = { ...base, type: 'parallel', next_steps: nextSteps, ...this.completion(step, graph, region, next) };
        break;
      }
      case 'loop':
        this.summary.while_logic = true;
        out = {
          ...base,
          type: 'while-condition',
          condition: this.condition(step.id, step.while),
          on_true: this.exportList(step.steps, 'loop body', step),
          ...this.completion(step, graph, region, next),
        };
        notes.push(`Vigil stops after ${step.maxIterations} iterations.`);
        break;
      case 'foreach': {
        this.summary.while_logic = true;
        const as = step.as ?? 'item';
        const list = vigilSwitchVariable(step.items);
        notes.push(
          `Vigil runs the loop body once for each item of ${step.items}, bound to ${as}; CACAO has no loop over a list, so the condition reads "while there is a current item".`,
        );
        this.warn(`step ${step.id}: foreach is exported as a while-condition that describes the iteration`);
        out = {
          ...base,
          type: 'while-condition',
          // The item is in the list when the list is a variable; otherwise "while there is a current item".
          condition: list !== undefined ? `${cacaoVariableKey(as)}:value IN ${list}` : `EXISTS ${cacaoVariableKey(as)}:value`,
          on_true: this.exportList(step.steps, 'loop body', step),
          ...this.completion(step, graph, region, next),
        };
        break;
      }
      case 'playbook': {
        this.summary.external_playbooks = true;
        out = {
          ...base,
          type: 'playbook-action',
          playbook_id: cacaoPlaybookId(step.playbook, this.options.idSeed),
          ...this.completion(step, graph, region, next),
        };
        const passed = Object.entries(step.inputs ?? {})
          .filter(([name, expression]) => expression.trim() === `vars.${name}`)
          .map(([name]) => cacaoVariableKey(name));
        if (passed.length > 0) out.in_args = passed;
        notes.push(`Runs Vigil playbook ${step.playbook}.`);
        break;
      }
      case 'approval': {
        const routes = this.approvalRoutes(step, graph, region);
        failureRoute = routes.failureRoute;
        out = { ...base, ...this.manualAction(step), ...routes.pointers };
        break;
      }
      default:
        out = { ...base, ...this.actionOf(step), ...this.completion(step, graph, region, next) };
    }
    const description = [this.describe(step), ...notes].filter((s) => s !== '').join(' ');
    if (description !== '') out.description = description;
    out.step_extensions = stepExtensions(step, failureRoute);
    this.workflow[cacaoId] = out;
    return cacaoId;
  }

  /**
   * The condition in STIX patterning. An expression with no STIX equivalent (it reads the alert, step
   * outputs or functions) becomes a comparison on a variable that stands for it: valid STIX that says
   * what decides, declared with the expression in its description. Chosen over a
   * placeholder text because other CACAO tools can still parse, show and even evaluate it (if they
   * set the variable); the Vigil extension keeps the exact expression for Vigil's own import.
   */
  private condition(stepId: string, expression: string): string {
    const stix = vigilExpressionToStix(expression);
    if (stix.ok) return stix.condition;
    const key = this.computedVariable(stepId, 'condition', 'bool', `true when the Vigil expression ${expression} holds`);
    this.warn(`step ${stepId}: condition '${expression}' has no STIX patterning equivalent (${stix.reason}); CACAO reads ${key}:value = true, a variable that stands for it`);
    return `${key}:value = true`;
  }

  /** A switch reads a variable: a Vigil variable as it is, any other expression through a variable Vigil sets from it. */
  private switchValue(stepId: string, expression: string): string {
    const variable = vigilSwitchVariable(expression);
    if (variable !== undefined) return variable;
    const key = this.computedVariable(stepId, 'value', 'string', `the value of the Vigil expression ${expression}`);
    this.warn(`step ${stepId}: switch value '${expression}' is not a variable; CACAO reads ${key}:value, a variable that stands for it`);
    return `${key}:value`;
  }

  private computedVariable(stepId: string, what: string, type: string, meaning: string): string {
    let key = cacaoVariableKey(`vigil_${stepId}_${what}`);
    for (let n = 2; key in this.declared; n += 1) key = cacaoVariableKey(`vigil_${stepId}_${what}_${n}`);
    this.declared[key] = {
      type,
      description: `Stands for ${meaning} at step ${stepId}: Vigil evaluates that expression in its place (the Vigil extension of the step keeps it); another CACAO tool sets this variable to run the step.`,
    };
    return key;
  }

  /** on_completion, or on_success and on_failure when the step routes its failures. */
  private completion(step: Step, graph: ListGraph, region: Region, next: () => string): { on_completion?: string; on_success?: string; on_failure?: string } {
    const failure = graph.failure(step);
    if (failure === undefined) return { on_completion: next() };
    return { on_success: next(), on_failure: this.pointer(failure, graph, region) };
  }

  /** Approve continues; a rejection is on_failure when it goes elsewhere. */
  private approvalRoutes(
    step: ApprovalStep,
    graph: ListGraph,
    region: Region,
  ): { pointers: { on_completion?: string; on_success?: string; on_failure?: string }; failureRoute?: VigilFailureRoute } {
    const next = graph.successor(step);
    const approve = graph.ref(step.id, step.onApprove, next);
    const reject = graph.ref(step.id, step.onReject, next);
    const failure = graph.failure(step);
    if (reject !== approve) {
      if (failure !== undefined && failure !== reject)
        this.warn(`step ${step.id}: CACAO has one failure route; the rejection route is kept and onFailure is only in the Vigil extension`);
      return { pointers: { on_success: this.pointer(approve, graph, region), on_failure: this.pointer(reject, graph, region) }, failureRoute: 'onReject' };
    }
    if (failure !== undefined) {
      return { pointers: { on_success: this.pointer(approve, graph, region), on_failure: this.pointer(failure, graph, region) }, failureRoute: 'onFailure' };
    }
    return { pointers: { on_completion: this.pointer(approve, graph, region) } };
  }

  private describe(step: Step): string {
    switch (step.kind) {
      case 'action':
        return `Vigil runs the integration action ${step.action}.`;
      case 'approval':
        return `Approval by ${step.levels.map((level) => level.roles.join(' or ')).join(', then ')}; without a decision the outcome is ${step.defaultOutcome}.`;
      case 'set':
        return 'Vigil sets run variables.';
      case 'wait':
        return 'Vigil waits.';
      case 'notify':
        return `Vigil sends a notification to ${step.channel}.`;
      case 'status':
        return `Vigil sets the case status to ${step.status}.`;
      case 'end':
        return step.status !== undefined ? `Vigil ends the run with the case ${step.status}.` : '';
      default:
        return '';
    }
  }

  // -------------------------------------------------------------------------------------------
  // Commands and agents

  private vigilAgent(): string {
    const id = this.id('security-category', 'agent:vigil');
    this.agents[id] ??= { type: 'security-category', name: 'Vigil', description: 'The Vigil orchestrator running this playbook.', category: ['orchestrator'] };
    return id;
  }

  private roleAgent(roles: string[]): string {
    const name = roles.join(', ');
    const id = this.id('group', `agent:roles:${name}`);
    this.agents[id] ??= { type: 'group', name, description: `Analysts with the role ${roles.join(' or ')} in Vigil.` };
    return id;
  }

  private httpTarget(host: string, port: string | undefined): string {
    const id = this.id('http-api', `target:${host}:${port ?? ''}`);
    const address: Record<string, string[]> = /^\d{1,3}(\.\d{1,3}){3}$/.test(host) ? { ipv4: [host] } : { dname: [host] };
    this.targets[id] ??= { type: 'http-api', name: host, address, ...(port !== undefined ? { port } : {}) };
    return id;
  }

  private manualAction(step: ApprovalStep): Pick<CacaoActionStep, 'type' | 'commands' | 'agent'> & { timeout?: number } {
    const roles = step.levels[0]?.roles ?? ['analyst'];
    const out: Pick<CacaoActionStep, 'type' | 'commands' | 'agent'> & { timeout?: number } = {
      type: 'action',
      commands: [{ type: 'manual', command: templateToCacaoText(step.question) }],
      agent: this.roleAgent(roles),
    };
    const first = step.levels[0]?.timeout;
    const ms = first !== undefined ? parseDuration(first) : undefined;
    if (step.timeout === undefined && ms !== undefined) out.timeout = ms;
    return out;
  }

  /** A start line with the request target, and the http-api target that holds the host. */
  private requestLine(method: string, url: string): { command: string; targets?: string[] } {
    const m = /^(https?):\/\/([A-Za-z0-9.-]+)(?::(\d+))?((?:[/?#]\S*)?)$/i.exec(url);
    if (m && m[4] !== '') {
      const scheme = m[1]!.toLowerCase();
      const port = m[3];
      // Import rebuilds the scheme from the port (80 and 8080 are http), so only such URLs split.
      const plainHttp = scheme === 'http' && (port === undefined || port === '80' || port === '8080');
      const tls = scheme === 'https' && port !== '80' && port !== '8080';
      if (plainHttp || tls) {
        const targetPort = scheme === 'http' ? (port === '8080' ? '8080' : undefined) : (port ?? '443');
        return { command: `${method} ${m[4]} HTTP/1.1`, targets: [this.httpTarget(m[2]!.toLowerCase(), targetPort)] };
      }
    }
    return { command: `${method} ${url} HTTP/1.1` };
  }

  private headerList(headers: unknown): Record<string, string[]> | undefined {
    if (!isRecord(headers)) return undefined;
    const out: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(headers)) if (typeof value === 'string') out[name] = [templateToCacaoText(value)];
    return Object.keys(out).length > 0 ? out : undefined;
  }

  private actionOf(step: ActionStep | SetStep | WaitStep | NotifyStep | StatusStep): Pick<CacaoActionStep, 'type' | 'commands' | 'agent' | 'targets' | 'out_args'> {
    if (step.kind === 'action') return this.integrationAction(step);
    let text: string;
    switch (step.kind) {
      case 'set':
        text = `Set ${Object.entries(step.vars)
          .map(([name, expression]) => `${cacaoVariableKey(name)} to ${expressionToCacaoCondition(expression).condition}`)
          .join(', ')}`;
        break;
      case 'wait':
        text = step.until === 'new_alert' ? `Wait until a new alert joins the case${step.duration ? `, at most ${step.duration}` : ''}` : `Wait ${step.duration ?? 'for a signal'}`;
        break;
      case 'notify':
        text = `Notify ${step.channel} using template ${templateToCacaoText(step.template)}`;
        break;
      case 'status':
        text = `Set the case status to ${step.status}`;
        break;
    }
    return { type: 'action', commands: [{ type: 'manual', command: text }], agent: this.vigilAgent() };
  }

  private integrationAction(step: ActionStep): Pick<CacaoActionStep, 'type' | 'commands' | 'agent' | 'targets' | 'out_args'> {
    const params = (mapStrings(step.with ?? {}, templateToCacaoText) ?? {}) as Record<string, unknown>;
    const out: Pick<CacaoActionStep, 'type' | 'commands' | 'agent' | 'targets' | 'out_args'> = { type: 'action', commands: [], agent: this.vigilAgent() };
    let command: CacaoCommand;
    if (step.action === HTTP_REQUEST_ACTION && typeof params['url'] === 'string') {
      const method = typeof params['method'] === 'string' ? params['method'].toUpperCase() : 'GET';
      const line = this.requestLine(method, params['url']);
      command = { type: 'http-api', description: `HTTP request (${step.action})`, command: line.command };
      if (line.targets) out.targets = line.targets;
      const headers = this.headerList(params['headers']);
      if (headers) command.headers = headers;
      const body = params['body'];
      if (body !== undefined) command.content = typeof body === 'string' ? body : JSON.stringify(body);
    } else if (
      (step.action === OPENC2_DENY_IPV4_ACTION || step.action === OPENC2_ALLOW_IPV4_ACTION || step.action === OPENC2_COMMAND_ACTION) &&
      (step.action === OPENC2_COMMAND_ACTION ? isRecord(params['request']) : typeof params['ipv4_net'] === 'string')
    ) {
      const request: Record<string, unknown> =
        step.action === OPENC2_COMMAND_ACTION
          ? (params['request'] as Record<string, unknown>)
          : {
              action: step.action === OPENC2_DENY_IPV4_ACTION ? 'deny' : 'allow',
              target: { ipv4_net: params['ipv4_net'] },
              ...(params['args'] !== undefined ? { args: params['args'] } : {}),
              ...(params['actuator'] !== undefined ? { actuator: params['actuator'] } : {}),
            };
      const line = typeof params['url'] === 'string' ? this.requestLine('POST', params['url']) : { command: 'POST /openc2 HTTP/1.1' };
      command = {
        type: 'openc2-http',
        description: `OpenC2 ${String(request['action'])} (${step.action})`,
        command: line.command,
        content_b64: encodeBase64Text(JSON.stringify(request)),
        headers: { 'Content-Type': [OPENC2_CONTENT_TYPE], ...(this.headerList(params['headers']) ?? {}) },
      };
      if ('targets' in line && line.targets) out.targets = line.targets;
    } else {
      command = {
        type: 'http-api',
        description: `Vigil integration action ${step.action}`,
        command: `POST ${VIGIL_ACTION_PATH_PREFIX}${step.action} HTTP/1.1`,
        headers: { 'Content-Type': ['application/json'] },
      };
      if (Object.keys(params).length > 0) command.content = JSON.stringify(params);
    }
    out.commands = [command];
    if (step.output) out.out_args = [cacaoVariableKey(step.output)];
    return out;
  }
}
