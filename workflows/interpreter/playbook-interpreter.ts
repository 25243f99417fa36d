import {
  ApplicationFailure,
  type ActivityOptions,
  CancellationScope,
  condition,
  executeChild,
  isCancellation,
  type LocalActivityOptions,
  patched,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { CarriedLines, CaseActivities, RunActionInput, RunActionResult, RunEnd, StepLine, StepRef } from '../contracts/case-activities.js';
import type { ApprovalGate, ApprovalState } from './approval-gate.js';
import type { ApprovalDecision } from '../contracts/approval-messages.js';
import type { PinnedPlaybook, StepStatus } from '../contracts/case-messages.js';
import { type ForeachChunkInput, type ForeachChunkResult, type ForeachChunkWorkflow, type ForeachItemResult, FOREACH_CHUNK_WORKFLOW, type SubPlaybookInput, type SubPlaybookResult, type SubPlaybookWorkflow, SUB_PLAYBOOK_WORKFLOW } from '../contracts/child-workflows.js';
import { type Ast, DEFAULT_ITEM_NAME, evaluate, isTruthy, parseExpression } from '../language/expression.js';
import type {
  ActionStep,
  ApprovalStep,
  CaseStatusName,
  EndStep,
  ForeachStep,
  LoopStep,
  NotifyStep,
  OnFailure,
  ParallelStep,
  RetrySpec,
  Step,
  StatusStep,
  SubPlaybookStep,
  WaitStep,
} from '../language/playbook.types.js';
import { isTemplateFile } from '../language/template-files.js';
import { expressionNeeds, mergeNeeds, type ScopeNeeds, sliceScope, stringsOf, templateNeeds } from '../language/scope-reads.js';

/** Above this many items a foreach runs its items in child workflows, so the run's own history stays short. */
export const FOREACH_CHUNK_THRESHOLD = 100;
/** Items per child workflow of a large foreach. */
export const FOREACH_CHUNK_SIZE = 100;

/** What the interpreter needs from the workflow around it. */
export interface InterpreterHost {
  tenantId: string;
  caseId: string;
  /** Action keys that must run as regular activities (containment, notification, ticketing). */
  regularActions: ReadonlySet<string>;
  /** Live step states, for the run state query. */
  steps: Map<string, StepStatus>;
  /** Number of alerts seen so far; `wait until: new_alert` waits for it to grow. */
  alertCount(): number;
  /** False in child workflows: they hear no alerts, so `wait until: new_alert` only waits its duration there. */
  hearsAlerts: boolean;
  dryRun: boolean;
  /** Who started the run (`playbook` or an analyst's actor id): they may not approve its requests. */
  requestedBy: string;
  /** Sub-playbooks pinned with the run, by id. */
  subPlaybooks: Readonly<Record<string, PinnedPlaybook>>;
  approvals: ApprovalGate;
  /** True for the case's own run; its first step moves the case's run status to `running`. */
  topLevel: boolean;
  /** Notify template files pinned with the run, by name. */
  templates: Readonly<Record<string, string>>;
}

export interface RunOutcome {
  runStatus: 'completed' | 'failed';
  /** The last step's activity wrote the run's end (RunActionInput.endsRun): no completeRun is needed. */
  endWritten?: boolean;
  status?: CaseStatusName;
  resolution?: string;
  /** The `end` step's summary template and the part of the scope it reads (rendered by an activity). */
  summary?: string;
  summaryScope?: Record<string, unknown>;
  error?: string;
  stepsRun: number;
}

/** One item's result in `steps.<foreach id>.output.items[i]`. */
/** Where a list of steps runs: the scope it reads and writes, and how its visits are keyed. */
interface Frame {
  scope: Record<string, unknown>;
  /** Prefix of every visit key in this frame (`1[3]/` inside item 3 of a foreach's first visit). */
  prefix: string;
  /** Retry policy inherited from an enclosing parallel, foreach or loop. */
  retry?: RetrySpec;
}

interface Route {
  goto?: string;
  end?: EndStep;
}

/** The route of a step that goes on to the next one. */
const CONTINUE: Route = Object.freeze({});

/**
 * An action or notify step ready to call its activity. `runList` makes the call itself: in workflow
 * code every promise costs a stack trace (the SDK records one per promise for its stack trace
 * query), so the activity is scheduled from a shallow stack with no promise of Vigil's own around
 * it, as a hand-written workflow would. bench/engine.bench.ts measures the difference.
 */
class ActionCall {
  constructor(
    readonly activities: Pick<CaseActivities, 'runAction'>,
    readonly input: RunActionInput,
    /** Held lines this call carries; given back if it fails or does not write them. */
    readonly carried: CarriedLines,
    readonly bindAs: string | undefined,
    readonly startedAt: number,
    readonly ref: StepRef,
  ) {}
}

const DEFAULT_RETRY: RetrySpec = { maxAttempts: 3, initialInterval: '200ms', backoff: 2, maxInterval: '10s' };
/** Steps whose `timeout` bounds the whole step (for action and notify it bounds one activity attempt). */
const SCOPED_TIMEOUT_KINDS: ReadonlySet<Step['kind']> = new Set(['parallel', 'foreach', 'loop', 'playbook', 'approval', 'wait']);
/** Steps whose activity writes its own failure lines. */
const OWN_FAILURE_LINES: ReadonlySet<Step['kind']> = new Set(['action', 'notify']);

/** `patched()` ids: behaviour that differs from what older runs recorded in their histories. */
const PATCH_STEP_KINDS = 'vigil-step-kinds-parallel-foreach-loop-notify-playbook-approval';
const PATCH_FAILURE_LINES = 'vigil-step-failure-lines';
/** Step lines handed to the next activity instead of a write of their own (see StepLine). */
const PATCH_DEFERRED_LINES = 'vigil-deferred-step-lines';

/** For the activities that write held lines when nothing else will soon (see flushSoon). */
const LINE_WRITER_OPTIONS: LocalActivityOptions = { startToCloseTimeout: '30s', retry: { maximumAttempts: 10, initialInterval: '200ms' } };

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `250ms`, `30s`, `5m`, `2h`, `1d` in milliseconds. */
export function durationMs(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (!match) throw ApplicationFailure.nonRetryable(`invalid duration '${text}'`, 'InvalidPlaybook');
  return Number(match[1]) * DURATION_UNITS[match[2]!]!;
}

function retryPolicy(spec: RetrySpec | undefined) {
  const r = { ...DEFAULT_RETRY, ...spec };
  return {
    maximumAttempts: r.maxAttempts,
    initialInterval: r.initialInterval,
    backoffCoefficient: r.backoff,
    maximumInterval: r.maxInterval,
  };
}

function failureMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return failureMessage(error.errors[0]);
  if (error instanceof Error) {
    let cause: unknown = (error as { cause?: unknown }).cause;
    // Child workflow and activity failures wrap the failure that says what went wrong.
    while (cause instanceof Error && (cause as { cause?: unknown }).cause instanceof Error) cause = (cause as { cause?: unknown }).cause;
    return cause instanceof Error ? cause.message : error.message;
  }
  return String(error);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value;
}

/** Every step id in a list, nested lists included. */
function idsIn(list: readonly Step[], into: string[] = []): string[] {
  for (const step of list) {
    into.push(step.id);
    for (const nested of nestedLists(step)) idsIn(nested, into);
  }
  return into;
}

function nestedLists(step: Step): Step[][] {
  if (step.kind === 'parallel') return step.branches;
  if (step.kind === 'foreach' || step.kind === 'loop') return [step.steps];
  return [];
}

/**
 * Runs one playbook's step list deterministically. Every side effect is an activity; routing,
 * conditions and variables are evaluated here, from workflow state only. One instance per run:
 * its caches (parsed expressions, what each step reads) live and die with the run.
 */
export class PlaybookInterpreter {
  private readonly visits = new Map<string, number>();
  private readonly asts = new Map<string, Ast>();
  private readonly needs = new Map<string, ScopeNeeds>();
  private readonly indexes = new Map<readonly Step[], Map<string, number>>();
  private readonly byId = new Map<string, Step>();
  /** Approved approvals by the step they guard (`<frame prefix>|<step id>`, and the bare id). */
  private readonly approvedGuards = new Map<string, string>();
  private stepsRun = 0;
  /**
   * Timeline lines of finished steps that are not in PostgreSQL yet. They are in this run's history
   * (activity results, or computed from it), so a replay rebuilds them; the next activity carries them.
   */
  private pending: StepLine[] = [];
  /** The case's run status still has to move to `running` (the top-level run's first write does it). */
  private markRunning: boolean;
  private readonly flushing = new Set<Promise<void>>();
  private deferred: boolean | undefined;
  /** Latest `at` handed out, so lines made from workflow time never sort before an earlier step's. */
  private lastLineAt = 0;
  /** For the step runList is about to run: how the run ends if it succeeds (see endOfRunAfter). */
  private nextEndsRun: RunEnd | undefined;
  private endWritten = false;

  constructor(
    private readonly steps: readonly Step[],
    private readonly host: InterpreterHost,
    /** Steps outside `steps` an approval may guard (a foreach chunk runs only the body). */
    guardable: readonly Step[] = [],
  ) {
    const index = (list: readonly Step[]): void => {
      for (const step of list) {
        this.byId.set(step.id, step);
        for (const nested of nestedLists(step)) index(nested);
      }
    };
    index(guardable);
    index(steps);
    this.markRunning = host.topLevel;
  }

  // -------------------------------------------------------------------------------------------
  // Timeline lines held by the run

  /** Whether this run hands step lines on (runs started before that write each line at once). */
  private defersLines(): boolean {
    this.deferred ??= patched(PATCH_DEFERRED_LINES);
    return this.deferred;
  }

  /** Takes the held lines (and the pending move to `running`) for an activity to write. */
  private carry(): CarriedLines {
    const carried: CarriedLines = {};
    if (this.pending.length > 0) carried.lines = this.pending;
    if (this.markRunning) carried.firstStep = true;
    this.pending = [];
    this.markRunning = false;
    return carried;
  }

  /** Gives back lines an activity did not write: the next one carries them again (writes are idempotent). */
  private uncarry(carried: CarriedLines): void {
    if (carried.lines) this.pending = [...carried.lines, ...this.pending];
    if (carried.firstStep) this.markRunning = true;
  }

  private hold(line: Omit<StepLine, 'at'>, at: number): void {
    const stamped = Math.max(at, this.lastLineAt + 1);
    this.lastLineAt = stamped;
    this.pending.push({ ...line, at: stamped });
  }

  /**
   * Before the run waits (a timer, an approval, a child workflow, a regular activity): writes the held
   * lines beside it, so the timeline never lags behind a step that takes long.
   */
  private flushSoon(): void {
    if (!this.defersLines() || (this.pending.length === 0 && !this.markRunning)) return;
    const carried = this.carry();
    const { recordLines } = proxyLocalActivities<CaseActivities>(LINE_WRITER_OPTIONS);
    const write: Promise<void> = CancellationScope.nonCancellable(() => recordLines({ tenantId: this.host.tenantId, caseId: this.host.caseId, ...carried })).then(
      () => undefined,
      () => this.uncarry(carried),
    );
    this.flushing.add(write);
    void write.finally(() => this.flushing.delete(write));
  }

  /** Waits for background writes, then hands over what is still held (for the activity that ends the run). */
  takeLines(): CarriedLines | Promise<CarriedLines> {
    // Without writes in flight, no promise (each one costs a stack trace in workflow code).
    return this.flushing.size === 0 ? this.carry() : this.settleFlushes().then(() => this.carry());
  }

  private async settleFlushes(): Promise<void> {
    while (this.flushing.size > 0) await Promise.all([...this.flushing]);
  }

  /** Writes everything still held: the end of a child run, which has no run-ending activity of its own. */
  async flushLines(): Promise<void> {
    const carried = await this.takeLines();
    if (!carried.lines && !carried.firstStep) return;
    const { recordLines } = proxyLocalActivities<CaseActivities>(LINE_WRITER_OPTIONS);
    await CancellationScope.nonCancellable(() => recordLines({ tenantId: this.host.tenantId, caseId: this.host.caseId, ...carried }));
  }

  async run(scope: Record<string, unknown>): Promise<RunOutcome> {
    try {
      const end = await this.runList(this.steps, { scope, prefix: '' });
      const summaryScope = end?.summary !== undefined ? sliceScope(scope, templateNeeds(end.summary, Object.keys(scope))) : undefined;
      return { runStatus: 'completed', ...(this.endWritten ? { endWritten: true } : {}), status: end?.status, resolution: end?.resolution, summary: end?.summary, summaryScope, stepsRun: this.stepsRun };
    } catch (error) {
      if (isCancellation(error)) throw error;
      return { runStatus: 'failed', error: failureMessage(error), stepsRun: this.stepsRun };
    }
  }

  /** Runs a list of steps; resolves with the `end` step that stopped it, if any. */
  private async runList(list: readonly Step[], frame: Frame): Promise<EndStep | undefined> {
    let index = this.indexes.get(list);
    if (!index) {
      index = new Map(list.map((s, i) => [s.id, i]));
      this.indexes.set(list, index);
    }
    let pc = 0;
    while (pc < list.length) {
      const step = list[pc]!;
      this.nextEndsRun = list === this.steps && this.host.topLevel ? this.endOfRunAfter(list, index, pc) : undefined;
      const next = this.runStep(step, frame);
      this.nextEndsRun = undefined;
      let route: Route;
      if (next instanceof ActionCall) {
        let result: RunActionResult | undefined;
        let failure: unknown;
        try {
          result = await next.activities.runAction(next.input);
        } catch (error) {
          failure = error;
        }
        route = result !== undefined ? this.stepDone(step, this.actionDone(step, frame, next, result)) : await this.actionFailed(step, frame, next, failure);
      } else {
        route = next instanceof Promise ? await next : next;
      }
      if (route.end) return route.end;
      if (route.goto !== undefined) {
        const target = index.get(route.goto);
        if (target === undefined) throw ApplicationFailure.nonRetryable(`step ${step.id} routes to unknown step ${route.goto}`, 'InvalidPlaybook');
        pc = target;
      } else {
        pc += 1;
      }
    }
    return undefined;
  }

  /**
   * How the run ends if the top-level action step at `pc` succeeds, when nothing can come between:
   * its route leads to the end of the playbook or to an `end` step without a condition or summary
   * (a summary is rendered from the run's final scope by completeRun), and no line is being written
   * in the background. Undefined otherwise.
   */
  private endOfRunAfter(list: readonly Step[], index: ReadonlyMap<string, number>, pc: number): RunEnd | undefined {
    const step = list[pc]!;
    if (step.kind !== 'action' || this.flushing.size > 0 || !this.defersLines()) return undefined;
    const at = step.next !== undefined ? index.get(step.next) : pc + 1;
    if (at === undefined) return undefined;
    const following = list[at];
    if (following === undefined) return { stepsRun: this.stepsRun + 1 };
    if (following.kind !== 'end' || following.when !== undefined || following.summary !== undefined) return undefined;
    return { stepsRun: this.stepsRun + 2, ...(following.status !== undefined ? { status: following.status } : {}), ...(following.resolution !== undefined ? { resolution: following.resolution } : {}) };
  }

  private ref(step: Step, frame: Frame): StepRef {
    const key = `${frame.prefix}|${step.id}`;
    const visit = (this.visits.get(key) ?? 0) + 1;
    this.visits.set(key, visit);
    return { tenantId: this.host.tenantId, caseId: this.host.caseId, workflowId: workflowInfo().workflowId, stepId: step.id, visit: `${frame.prefix}${visit}` };
  }

  private setState(stepId: string, patch: Partial<StepStatus>): void {
    const prev = this.host.steps.get(stepId) ?? { stepId, state: 'pending' as const };
    this.host.steps.set(stepId, { ...prev, ...patch });
  }

  private stepsOf(frame: Frame): Record<string, unknown> {
    const steps = frame.scope['steps'];
    if (steps && typeof steps === 'object') return steps as Record<string, unknown>;
    const fresh: Record<string, unknown> = {};
    frame.scope['steps'] = fresh;
    return fresh;
  }

  private recordOutput(step: Step, frame: Frame, output: unknown, bindAs?: string): void {
    this.stepsOf(frame)[step.id] = { output, status: 'completed' };
    if (bindAs) {
      const vars = (frame.scope['vars'] ??= {}) as Record<string, unknown>;
      vars[bindAs] = output;
    }
  }

  private firstStep(): boolean {
    return this.host.topLevel && this.stepsRun === 0;
  }

  /** Evaluates an expression, parsing its text once per run. */
  private eval(text: string, scope: Record<string, unknown>): unknown {
    let ast = this.asts.get(text);
    if (!ast) {
      ast = parseExpression(text);
      this.asts.set(text, ast);
    }
    return evaluate(ast, scope);
  }

  /**
   * Runs one step. A step that needs no activity (condition, switch, set, end) finishes without a
   * promise, and one that does costs one async layer: in workflow code every promise is expensive
   * (the SDK captures a stack trace for each, for its stack trace query), so the hot path of a
   * playbook stays flat. See bench/engine.bench.ts.
   */
  private runStep(step: Step, frame: Frame): Route | Promise<Route> | ActionCall {
    if (step.when !== undefined && !isTruthy(this.eval(step.when, frame.scope))) {
      this.setState(step.id, { state: 'skipped' });
      this.stepsOf(frame)[step.id] = { status: 'skipped' };
      return step.next !== undefined ? { goto: step.next } : CONTINUE;
    }
    const startedAt = Date.now();
    this.setState(step.id, { state: 'running', startedAt, error: undefined, finishedAt: undefined });
    const ref = this.ref(step, frame);
    let outcome: Route | Promise<Route> | ActionCall;
    try {
      outcome = step.timeout !== undefined && SCOPED_TIMEOUT_KINDS.has(step.kind) ? this.withScopedTimeout(step, step.timeout, ref, startedAt, frame) : this.execute(step, frame, ref, startedAt);
    } catch (error) {
      return this.stepFailed(step, frame, ref, startedAt, error);
    }
    if (outcome instanceof ActionCall) return outcome;
    if (!(outcome instanceof Promise)) return this.stepDone(step, outcome);
    return outcome.then(
      (route) => this.stepDone(step, route),
      (error: unknown) => this.stepFailed(step, frame, ref, startedAt, error),
    );
  }

  /** An action or notify step's activity answered: hold its line, bind its output. */
  private actionDone(step: Step, frame: Frame, call: ActionCall, result: RunActionResult): Route {
    if (result.runCompleted === true) this.endWritten = true;
    if (call.input.deferLine) {
      if (result.linesWritten !== true) this.uncarry(call.carried);
      // A worker that predates held lines wrote the line itself and returned none.
      if (result.line) this.hold({ ...result.line, data: { ...result.line.data, output: result.output } }, result.line.at);
    }
    this.recordOutput(step, frame, result.output, call.bindAs);
    return CONTINUE;
  }

  private actionFailed(step: Step, frame: Frame, call: ActionCall, error: unknown): Promise<Route> {
    this.uncarry(call.carried);
    return this.stepFailed(step, frame, call.ref, call.startedAt, error);
  }

  /** The action call of a step that is not run from `runList` (inside a scoped timeout). */
  private async runCall(step: Step, frame: Frame, call: ActionCall): Promise<Route> {
    let result: RunActionResult;
    try {
      result = await call.activities.runAction(call.input);
    } catch (error) {
      this.uncarry(call.carried);
      throw error;
    }
    return this.actionDone(step, frame, call, result);
  }

  private stepDone(step: Step, route: Route): Route {
    this.stepsRun += 1;
    this.setState(step.id, { state: 'completed', finishedAt: Date.now() });
    if (route.end || route.goto !== undefined) return route;
    return step.next !== undefined ? { goto: step.next } : CONTINUE;
  }

  private async stepFailed(step: Step, frame: Frame, ref: StepRef, startedAt: number, error: unknown): Promise<Route> {
    if (isCancellation(error)) {
      this.setState(step.id, { state: 'cancelled', finishedAt: Date.now() });
      throw error;
    }
    const message = failureMessage(error);
    this.setState(step.id, { state: 'failed', finishedAt: Date.now(), error: message });
    this.stepsOf(frame)[step.id] = { status: 'failed', error: message };
    // Runs that started before failure lines existed replay without them (case workflows stay open for days).
    if (!OWN_FAILURE_LINES.has(step.kind) && patched(PATCH_FAILURE_LINES)) await this.recordFailure(step, frame, ref, startedAt, message);
    const onFailure: OnFailure = step.onFailure ?? 'fail';
    if (onFailure === 'fail') throw error;
    if (onFailure === 'continue') return CONTINUE;
    return { goto: onFailure.goto };
  }

  /** A `timeout` on a step that waits or runs others bounds the whole step. */
  private async withScopedTimeout(step: Step, timeout: string, ref: StepRef, startedAt: number, frame: Frame): Promise<Route> {
    const outer = CancellationScope.current();
    const scope = new CancellationScope({ cancellable: true, timeout });
    try {
      return await scope.run(async () => {
        const outcome = this.execute(step, frame, ref, startedAt);
        return outcome instanceof ActionCall ? this.runCall(step, frame, outcome) : outcome;
      });
    } catch (error) {
      if (isCancellation(error) && scope.consideredCancelled && !outer.consideredCancelled) {
        throw ApplicationFailure.nonRetryable(`${step.kind} step ${step.id} timed out after ${timeout}`, 'StepTimeout');
      }
      throw error;
    }
  }

  private async recordFailure(step: Step, frame: Frame, ref: StepRef, startedAt: number, message: string): Promise<void> {
    const line = { kind: 'step_failed' as const, message: `${step.kind} step failed: ${message}`, data: this.lineData(step, startedAt, { error: message }) };
    if (this.defersLines()) {
      this.hold({ stepId: step.id, dedupKey: `${ref.workflowId}:${step.id}:${ref.visit}`, ...line }, Date.now());
      return;
    }
    try {
      const { recordStep } = proxyLocalActivities<CaseActivities>(this.localOptions(step, frame));
      await recordStep({ ...ref, ...line });
    } catch (error) {
      // The run fails (or goes on) either way; a missing line must not hide the original failure.
      if (isCancellation(error)) throw error;
    }
  }

  /** One line for a step that ran others or waited: written when it finishes, with its start time. */
  private async recordFinished(step: Step, frame: Frame, ref: StepRef, startedAt: number, message: string, data: Record<string, unknown> = {}): Promise<void> {
    const line = { kind: 'step_finished' as const, message, data: this.lineData(step, startedAt, data) };
    if (this.defersLines()) {
      this.hold({ stepId: step.id, dedupKey: `${ref.workflowId}:${step.id}:${ref.visit}`, ...line }, Date.now());
      return;
    }
    const { recordStep } = proxyLocalActivities<CaseActivities>(this.localOptions(step, frame));
    await recordStep({ ...ref, ...line, firstStep: this.firstStep() });
  }

  /** The data of a line the workflow writes for a step: its kind, start and duration, and `extra`. */
  private lineData(step: Step, startedAt: number, extra: Record<string, unknown>): Record<string, unknown> {
    return { kind: step.kind, startedAt: new Date(startedAt).toISOString(), durationMs: Date.now() - startedAt, ...extra };
  }

  private localOptions(step: Step, frame: Frame): LocalActivityOptions {
    // Short steps run as local activities: half the latency of a regular activity on this engine.
    return { startToCloseTimeout: SCOPED_TIMEOUT_KINDS.has(step.kind) ? '30s' : (step.timeout ?? '30s'), retry: retryPolicy(step.retry ?? frame.retry) };
  }

  private regularOptions(step: Step, frame: Frame): ActivityOptions {
    // Kept short so a call in flight when a worker dies is retried soon (containment is idempotent).
    return { startToCloseTimeout: SCOPED_TIMEOUT_KINDS.has(step.kind) ? '30s' : (step.timeout ?? '30s'), retry: retryPolicy(step.retry ?? frame.retry) };
  }

  private execute(step: Step, frame: Frame, ref: StepRef, startedAt: number): Route | Promise<Route> | ActionCall {
    switch (step.kind) {
      case 'action':
        return this.prepareAction(step, frame, ref, startedAt);
      case 'condition': {
        const result = isTruthy(this.eval(step.if, frame.scope));
        this.recordOutput(step, frame, { result });
        const target = result ? step.then : step.else;
        return target !== undefined ? { goto: target } : CONTINUE;
      }
      case 'switch': {
        const value = this.eval(step.on, frame.scope);
        const key = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
        const target = Object.prototype.hasOwnProperty.call(step.cases, key) ? step.cases[key] : step.default;
        this.recordOutput(step, frame, { value: key });
        return target !== undefined ? { goto: target } : CONTINUE;
      }
      case 'set': {
        const vars = (frame.scope['vars'] ??= {}) as Record<string, unknown>;
        for (const [name, expression] of Object.entries(step.vars)) vars[name] = this.eval(expression, frame.scope);
        this.recordOutput(step, frame, {});
        return CONTINUE;
      }
      case 'wait':
        return this.runWait(step, frame);
      case 'status':
        return this.runStatus(step, frame, ref);
      case 'end':
        this.recordOutput(step, frame, { status: step.status });
        return { end: step };
      default:
        break;
    }
    // Runs that started when these kinds were refused replay the refusal.
    if (!patched(PATCH_STEP_KINDS)) throw ApplicationFailure.nonRetryable(`step kind '${step.kind}' is not supported by this version of Vigil's interpreter`, 'UnsupportedStep');
    switch (step.kind) {
      case 'parallel':
        return this.runParallel(step, frame, ref, startedAt);
      case 'foreach':
        return this.runForeach(step, frame, ref, startedAt);
      case 'loop':
        return this.runLoop(step, frame, ref, startedAt);
      case 'notify':
        return this.prepareNotify(step, frame, ref, startedAt);
      case 'playbook':
        return this.runSubPlaybook(step, frame, ref, startedAt);
      case 'approval':
        return this.runApproval(step, frame, ref);
    }
  }

  private async runWait(step: WaitStep, frame: Frame): Promise<Route> {
    this.flushSoon();
    if (step.until === 'new_alert' && this.host.hearsAlerts) {
      const seen = this.host.alertCount();
      const arrived = step.duration === undefined ? (await condition(() => this.host.alertCount() > seen), true) : await condition(() => this.host.alertCount() > seen, step.duration);
      this.recordOutput(step, frame, { newAlert: arrived });
    } else if (step.duration !== undefined) {
      await sleep(step.duration);
      this.recordOutput(step, frame, { newAlert: false });
    } else {
      throw ApplicationFailure.nonRetryable('a sub-playbook or a large foreach hears no new alerts: give this wait a duration', 'UnsupportedStep');
    }
    return CONTINUE;
  }

  private async runStatus(step: StatusStep, frame: Frame, ref: StepRef): Promise<Route> {
    const { recordStep } = proxyLocalActivities<CaseActivities>(this.localOptions(step, frame));
    // With held lines, the status change and the held lines go in one transaction.
    const deferred = this.defersLines();
    const carried: CarriedLines = deferred ? this.carry() : { firstStep: this.firstStep() };
    try {
      await recordStep({ ...ref, kind: 'step_finished', message: `status set to ${step.status}`, status: step.status, ...carried });
    } catch (error) {
      if (deferred) this.uncarry(carried);
      throw error;
    }
    this.recordOutput(step, frame, { status: step.status });
    return CONTINUE;
  }

  // -------------------------------------------------------------------------------------------
  // What a step reads

  /** The scope paths a step's templates read (computed once per step and run). */
  private templateNeedsOf(step: Step, frame: Frame): ScopeNeeds {
    const cached = this.needs.get(step.id);
    if (cached) return cached;
    const roots = Object.keys(frame.scope);
    const templates = (values: unknown): ScopeNeeds[] => stringsOf(values).map((text) => templateNeeds(text, roots));
    let parts: ScopeNeeds[] = [];
    switch (step.kind) {
      case 'action':
        parts = templates(step.with);
        break;
      case 'notify':
        // A template file is read by the activity, so what it reads is not known here.
        parts = [isTemplateFile(step.template) ? 'all' : templateNeeds(step.template, roots), ...templates(step.with)];
        break;
      case 'approval': {
        const guard = step.guards !== undefined ? this.byId.get(step.guards) : undefined;
        parts = [templateNeeds(step.question, roots), ...(guard?.kind === 'action' ? templates(guard.with) : [])];
        break;
      }
      default:
        break;
    }
    const merged = mergeNeeds(parts);
    this.needs.set(step.id, merged);
    return merged;
  }

  /** Everything the steps of a list read, templates and expressions, nested lists included. */
  private listNeeds(list: readonly Step[], roots: readonly string[]): ScopeNeeds {
    const parts: ScopeNeeds[] = [];
    const expression = (text: string): void => {
      let ast = this.asts.get(text);
      if (!ast) {
        ast = parseExpression(text);
        this.asts.set(text, ast);
      }
      parts.push(expressionNeeds(ast, roots));
    };
    const template = (values: unknown): void => {
      for (const text of stringsOf(values)) parts.push(templateNeeds(text, roots));
    };
    const visit = (steps: readonly Step[]): void => {
      for (const step of steps) {
        if (step.when !== undefined) expression(step.when);
        switch (step.kind) {
          case 'action':
            template(step.with);
            break;
          case 'notify':
            parts.push(isTemplateFile(step.template) ? 'all' : templateNeeds(step.template, roots));
            template(step.with);
            break;
          case 'approval': {
            template(step.question);
            for (const text of Object.values(step.context ?? {})) expression(text);
            const guard = step.guards !== undefined ? this.byId.get(step.guards) : undefined;
            if (guard?.kind === 'action') template(guard.with);
            break;
          }
          case 'condition':
            expression(step.if);
            break;
          case 'switch':
            expression(step.on);
            break;
          case 'set':
            for (const text of Object.values(step.vars)) expression(text);
            break;
          case 'foreach':
            expression(step.items);
            break;
          case 'loop':
            expression(step.while);
            break;
          case 'playbook':
            for (const text of Object.values(step.inputs ?? {})) expression(text);
            // A sub-playbook reads the case's alert, case and observables.
            parts.push(new Set(['alert', 'case', 'observables']));
            break;
          case 'end':
            if (step.summary !== undefined) template(step.summary);
            break;
          default:
            break;
        }
        for (const nested of nestedLists(step)) visit(nested);
      }
    };
    visit(list);
    return mergeNeeds(parts);
  }

  // -------------------------------------------------------------------------------------------
  // Step kinds

  private prepareAction(step: ActionStep, frame: Frame, ref: StepRef, startedAt: number): ActionCall {
    const input: RunActionInput = {
      ...ref,
      action: step.action,
      params: step.with ?? {},
      scope: sliceScope(frame.scope, this.templateNeedsOf(step, frame)),
      scheduledAt: Date.now(),
      dryRun: this.host.dryRun,
      ...(step.expiresIn !== undefined ? { expiresIn: step.expiresIn } : {}),
    };
    const approvalId = this.approvedGuards.get(`${frame.prefix}|${step.id}`) ?? this.approvedGuards.get(step.id);
    if (approvalId !== undefined) input.override = { approvalId };
    const regular = this.host.regularActions.has(step.action);
    if (this.nextEndsRun !== undefined && !regular) input.endsRun = this.nextEndsRun;
    const activities = regular ? proxyActivities<CaseActivities>(this.regularOptions(step, frame)) : proxyLocalActivities<CaseActivities>(this.localOptions(step, frame));
    return this.actionCall(activities, input, regular, step.output, startedAt, ref);
  }

  /**
   * A local activity carries the held lines and writes them while the vendor answers; a regular one
   * (it may queue behind other work) has them written beside it. Its own line comes back to be held.
   */
  private actionCall(activities: Pick<CaseActivities, 'runAction'>, input: RunActionInput, regular: boolean, bindAs: string | undefined, startedAt: number, ref: StepRef): ActionCall {
    if (!this.defersLines()) return new ActionCall(activities, { ...input, firstStep: this.firstStep() }, {}, bindAs, startedAt, ref);
    let carried: CarriedLines = {};
    if (regular) this.flushSoon();
    else carried = this.carry();
    return new ActionCall(activities, { ...input, ...carried, deferLine: true }, carried, bindAs, startedAt, ref);
  }

  private prepareNotify(step: NotifyStep, frame: Frame, ref: StepRef, startedAt: number): ActionCall {
    // Notifications are regular activities: they are rate limited by vendors and must not repeat when a workflow task is retried.
    const activities = proxyActivities<CaseActivities>(this.regularOptions(step, frame));
    const input: RunActionInput = {
      ...ref,
      action: `notify:${step.channel}`,
      params: step.with ?? {},
      notify: this.notifyTemplate(step),
      scope: sliceScope(frame.scope, this.templateNeedsOf(step, frame)),
      scheduledAt: Date.now(),
      dryRun: this.host.dryRun,
    };
    return this.actionCall(activities, input, true, undefined, startedAt, ref);
  }

  /** The step's template: the text of its file as pinned with the run, when it names one. */
  private notifyTemplate(step: NotifyStep): { channel: string; template: string; pinned?: boolean } {
    const pinned = isTemplateFile(step.template) && Object.hasOwn(this.host.templates, step.template) ? this.host.templates[step.template] : undefined;
    return pinned !== undefined ? { channel: step.channel, template: pinned, pinned: true } : { channel: step.channel, template: step.template };
  }

  private async runParallel(step: ParallelStep, frame: Frame, ref: StepRef, startedAt: number): Promise<Route> {
    const join = step.join ?? 'all';
    const inner: Frame = { ...frame, retry: step.retry ?? frame.retry };
    const scope = new CancellationScope();
    let end: EndStep | undefined;
    let winner: number | undefined;
    if (join === 'all') {
      try {
        const ends = await scope.run(() => Promise.all(step.branches.map((branch) => this.runList(branch, inner))));
        end = ends.find((e) => e !== undefined);
      } catch (error) {
        // One branch failed: the others stop too.
        scope.cancel();
        throw error;
      }
    } else {
      try {
        const first = await scope.run(() => Promise.any(step.branches.map(async (branch, i) => ({ i, end: await this.runList(branch, inner) }))));
        winner = first.i;
        end = first.end;
      } catch (error) {
        throw error instanceof AggregateError && error.errors.length > 0 ? error.errors[0] : error;
      } finally {
        // The first branch to finish wins; the rest are cancelled (their activities and timers with them).
        scope.cancel();
      }
    }
    const branches = step.branches.length;
    this.recordOutput(step, frame, winner === undefined ? { join, branches } : { join, branches, winner });
    const message =
      winner === undefined
        ? `parallel: all ${branches} branch(es) finished`
        : `parallel: branch ${winner + 1} of ${branches} finished first; ${branches - 1} cancelled`;
    await this.recordFinished(step, frame, ref, startedAt, message, { join, branches, winner });
    return end ? { end } : {};
  }

  private async runLoop(step: LoopStep, frame: Frame, ref: StepRef, startedAt: number): Promise<Route> {
    const inner: Frame = { ...frame, retry: step.retry ?? frame.retry };
    let iterations = 0;
    let stoppedBy: 'condition' | 'max_iterations' | 'end' = 'condition';
    let end: EndStep | undefined;
    while (isTruthy(this.eval(step.while, frame.scope))) {
      if (iterations >= step.maxIterations) {
        stoppedBy = 'max_iterations';
        break;
      }
      iterations += 1;
      end = await this.runList(step.steps, inner);
      if (end) {
        stoppedBy = 'end';
        break;
      }
    }
    this.recordOutput(step, frame, { iterations, stoppedBy });
    const why = stoppedBy === 'max_iterations' ? `stopped at maxIterations ${step.maxIterations}` : stoppedBy === 'end' ? 'an end step stopped it' : 'condition no longer holds';
    await this.recordFinished(step, frame, ref, startedAt, `loop: ${iterations} iteration(s), ${why}`, { iterations, stoppedBy });
    return end ? { end } : {};
  }

  private async runForeach(step: ForeachStep, frame: Frame, ref: StepRef, startedAt: number): Promise<Route> {
    const items = this.eval(step.items, frame.scope);
    if (!Array.isArray(items)) throw ApplicationFailure.nonRetryable(`items of foreach ${step.id} must be a list, got ${typeName(items)}`, 'InvalidItems');
    const concurrency = Math.max(1, step.concurrency ?? 1);
    const inner: Frame = { ...frame, retry: step.retry ?? frame.retry };
    const chunked = items.length > FOREACH_CHUNK_THRESHOLD;
    const result = chunked
      ? await this.runChunks(step, items, concurrency, inner, ref)
      : await this.runItems(step, items, 0, concurrency, inner, ref.visit);
    this.recordOutput(step, frame, { count: items.length, items: result.items });
    await this.recordFinished(step, frame, ref, startedAt, `foreach: ${items.length} item(s)${chunked ? ` in ${Math.ceil(items.length / FOREACH_CHUNK_SIZE)} child workflow(s)` : ''}, ${concurrency} at a time`, {
      count: items.length,
      concurrency,
      chunks: chunked ? Math.ceil(items.length / FOREACH_CHUNK_SIZE) : 0,
    });
    return result.end ? { end: result.end } : {};
  }

  /**
   * Runs a foreach body for each of `items` (numbered from `offset`), at most `concurrency` at once.
   * Each item gets its own `steps` and `vars` (copies of the enclosing ones) and its name bound.
   * Also the body of a foreach chunk workflow.
   */
  async runItems(
    step: Pick<ForeachStep, 'id' | 'as' | 'steps'>,
    items: readonly unknown[],
    offset: number,
    concurrency: number,
    frame: Frame,
    visitBase: string,
  ): Promise<{ items: ForeachItemResult[]; end?: EndStep }> {
    const as = step.as ?? DEFAULT_ITEM_NAME;
    const bodyIds = idsIn(step.steps);
    const results = new Array<ForeachItemResult>(items.length);
    let next = 0;
    let end: EndStep | undefined;
    const lane = async (): Promise<void> => {
      while (next < items.length && end === undefined) {
        const i = next;
        next += 1;
        const parentSteps = (frame.scope['steps'] ?? {}) as Record<string, unknown>;
        const parentVars = (frame.scope['vars'] ?? {}) as Record<string, unknown>;
        const steps: Record<string, unknown> = { ...parentSteps };
        const scope: Record<string, unknown> = { ...frame.scope, steps, vars: { ...parentVars }, [as]: items[i] };
        try {
          const stopped = await this.runList(step.steps, { scope, prefix: `${visitBase}[${offset + i}]/`, retry: frame.retry });
          if (stopped) end = stopped;
        } catch (error) {
          if (isCancellation(error)) throw error;
          throw ApplicationFailure.nonRetryable(`item ${offset + i}: ${failureMessage(error)}`, 'ForeachItemFailed');
        }
        const own: Record<string, unknown> = {};
        for (const id of bodyIds) if (Object.hasOwn(steps, id)) own[id] = steps[id];
        results[i] = { item: items[i], status: 'completed', steps: own };
      }
    };
    const scope = new CancellationScope();
    try {
      await scope.run(() => Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, () => lane())));
    } catch (error) {
      scope.cancel();
      throw error;
    }
    return end ? { items: results, end } : { items: results };
  }

  /** A large foreach: chunks of items in child workflows, `concurrency` items at once across them. */
  private async runChunks(step: ForeachStep, items: readonly unknown[], concurrency: number, frame: Frame, ref: StepRef): Promise<{ items: ForeachItemResult[]; end?: EndStep }> {
    const as = step.as ?? DEFAULT_ITEM_NAME;
    const chunks = Math.ceil(items.length / FOREACH_CHUNK_SIZE);
    const lanes = Math.min(chunks, concurrency);
    const roots = [...Object.keys(frame.scope), as];
    const needs = this.listNeeds(step.steps, roots);
    const shared = sliceScope(frame.scope, needs);
    delete shared[as];
    const guarded = this.guardedOutside(step.steps);
    const results = new Array<ForeachItemResult>(items.length);
    const parentId = workflowInfo().workflowId;
    this.flushSoon();
    let next = 0;
    let end: EndStep | undefined;
    const lane = async (laneIndex: number): Promise<void> => {
      const laneConcurrency = Math.floor(concurrency / lanes) + (laneIndex < concurrency % lanes ? 1 : 0);
      while (next < chunks && end === undefined) {
        const k = next;
        next += 1;
        const offset = k * FOREACH_CHUNK_SIZE;
        const input: ForeachChunkInput = {
          tenantId: this.host.tenantId,
          caseId: this.host.caseId,
          regularActions: [...this.host.regularActions],
          dryRun: this.host.dryRun,
          requestedBy: this.host.requestedBy,
          subPlaybooks: this.host.subPlaybooks,
          templates: this.host.templates,
          step: { id: step.id, as: step.as, steps: step.steps },
          guarded,
          items: items.slice(offset, offset + FOREACH_CHUNK_SIZE),
          offset,
          concurrency: laneConcurrency,
          scope: shared,
          visitBase: ref.visit,
          retry: frame.retry,
        };
        const out: ForeachChunkResult = await executeChild<ForeachChunkWorkflow>(FOREACH_CHUNK_WORKFLOW, {
          workflowId: `${parentId}/${step.id}/${ref.visit}/chunk-${k}`,
          args: [input],
        });
        out.items.forEach((r, j) => {
          results[offset + j] = r;
        });
        if (out.end) end = out.end;
      }
    };
    const scope = new CancellationScope();
    try {
      await scope.run(() => Promise.all(Array.from({ length: lanes }, (_, i) => lane(i))));
    } catch (error) {
      scope.cancel();
      throw error;
    }
    return end ? { items: results, end } : { items: results };
  }

  /** Action steps outside `list` that approvals inside it guard. */
  private guardedOutside(list: readonly Step[]): Step[] {
    const inside = new Set(idsIn(list));
    const out: Step[] = [];
    const visit = (steps: readonly Step[]): void => {
      for (const step of steps) {
        if (step.kind === 'approval' && step.guards !== undefined && !inside.has(step.guards)) {
          const guard = this.byId.get(step.guards);
          if (guard) out.push(guard);
        }
        for (const nested of nestedLists(step)) visit(nested);
      }
    };
    visit(list);
    return out;
  }

  private async runSubPlaybook(step: SubPlaybookStep, frame: Frame, ref: StepRef, startedAt: number): Promise<Route> {
    const pinned = this.host.subPlaybooks[step.playbook];
    if (!pinned) throw ApplicationFailure.nonRetryable(`playbook '${step.playbook}' was not pinned with this run`, 'UnknownPlaybook');
    const inputs: Record<string, unknown> = {};
    for (const declared of pinned.playbook.inputs ?? []) if (declared.default !== undefined) inputs[declared.name] = declared.default;
    for (const [name, expression] of Object.entries(step.inputs ?? {})) inputs[name] = this.eval(expression, frame.scope);
    const input: SubPlaybookInput = {
      tenantId: this.host.tenantId,
      caseId: this.host.caseId,
      playbook: pinned.playbook,
      playbookHash: pinned.hash,
      scope: { alert: frame.scope['alert'], case: frame.scope['case'], observables: frame.scope['observables'], inputs },
      regularActions: [...this.host.regularActions],
      dryRun: this.host.dryRun,
      requestedBy: this.host.requestedBy,
      subPlaybooks: this.host.subPlaybooks,
      templates: this.host.templates,
    };
    this.flushSoon();
    const result: SubPlaybookResult = await executeChild<SubPlaybookWorkflow>(SUB_PLAYBOOK_WORKFLOW, {
      workflowId: `${workflowInfo().workflowId}/${step.id}/${ref.visit}`,
      args: [input],
      // Without `retry` a failed sub-playbook is not started again: its steps retry on their own.
      retry: step.retry ? retryPolicy(step.retry) : { maximumAttempts: 1 },
    });
    this.recordOutput(step, frame, result);
    await this.recordFinished(step, frame, ref, startedAt, `playbook ${pinned.playbook.id} ${pinned.playbook.version} finished after ${result.stepsRun} step(s)`, {
      playbookId: pinned.playbook.id,
      playbookVersion: pinned.playbook.version,
      playbookHash: pinned.hash,
      status: result.status,
    });
    return CONTINUE;
  }

  private async runApproval(step: ApprovalStep, frame: Frame, ref: StepRef): Promise<Route> {
    const evidence: Record<string, unknown> = {};
    for (const [label, expression] of Object.entries(step.context ?? {})) {
      try {
        evidence[label] = this.eval(expression, frame.scope) ?? null;
      } catch (error) {
        evidence[label] = { error: failureMessage(error) };
      }
    }
    const guardStep = step.guards !== undefined ? this.byId.get(step.guards) : undefined;
    const guard = guardStep?.kind === 'action' ? { stepId: guardStep.id, action: guardStep.action, params: guardStep.with ?? {} } : undefined;
    const quorum = step.quorum ?? 1;
    const state: ApprovalState = {
      approvalId: uuid4(),
      tenantId: this.host.tenantId,
      caseId: this.host.caseId,
      workflowId: ref.workflowId,
      stepId: step.id,
      levels: step.levels,
      levelIndex: 0,
      quorum,
      requestedBy: this.host.requestedBy,
      votes: [],
      status: 'pending',
    };
    // Known to the update handler before the row exists, so no decision can arrive for an unknown id.
    this.host.approvals.register(state);
    const local = proxyLocalActivities<CaseActivities>(this.localOptions(step, frame));
    this.flushSoon();
    const notifications: Array<Promise<void>> = [];
    const base = { tenantId: state.tenantId, caseId: state.caseId, workflowId: state.workflowId, stepId: step.id, approvalId: state.approvalId };
    try {
      const opened = await local.openApproval({
        ...ref,
        approvalId: state.approvalId,
        question: step.question,
        scope: sliceScope(frame.scope, this.templateNeedsOf(step, frame)),
        guard,
        evidence,
        levels: step.levels,
        quorum,
        defaultOutcome: step.defaultOutcome,
        requestedBy: this.host.requestedBy,
        expiresAt: Date.now() + durationMs(step.levels[0]!.timeout),
        // With held lines, flushSoon above moved the run to `running`.
        firstStep: !this.defersLines() && this.firstStep(),
      });
      for (let level = 0; ; level += 1) {
        const spec = step.levels[level]!;
        if (spec.notify !== undefined) notifications.push(this.notifyLevel(step, frame, ref, opened, level));
        const decided = await condition(() => state.status !== 'pending', spec.timeout);
        if (decided) break;
        if (level + 1 < step.levels.length) {
          // Changed before anything is awaited: from now on the validator checks the next level's roles.
          state.levelIndex = level + 1;
          const nextLevel = step.levels[level + 1]!;
          await local.advanceApproval({ ...base, change: { kind: 'escalated', level: level + 2, roles: nextLevel.roles, expiresAt: Date.now() + durationMs(nextLevel.timeout) } });
        } else {
          state.status = 'expired';
          await local.advanceApproval({ ...base, change: { kind: 'expired', level: level + 1, outcome: step.defaultOutcome } });
          break;
        }
      }
      if (state.persisted) await state.persisted;
      await Promise.all(notifications);
      const outcome: ApprovalDecision = state.status === 'approved' ? 'approve' : state.status === 'rejected' ? 'reject' : step.defaultOutcome;
      this.recordOutput(step, frame, {
        approvalId: state.approvalId,
        outcome,
        status: state.status,
        level: state.levelIndex + 1,
        approvals: state.votes.filter((v) => v.decision === 'approve').length,
        votes: state.votes.map((v) => ({ actor: v.actorId, decision: v.decision, comment: v.comment ?? null, level: v.level })),
      });
      if (step.guards !== undefined && state.status === 'approved') {
        this.approvedGuards.set(`${frame.prefix}|${step.guards}`, state.approvalId);
        this.approvedGuards.set(step.guards, state.approvalId);
      }
      const target = outcome === 'approve' ? step.onApprove : step.onReject;
      return target !== undefined ? { goto: target } : {};
    } catch (error) {
      if (state.status === 'pending') {
        state.status = 'expired';
        const reason = isCancellation(error) ? 'the step was cancelled' : failureMessage(error);
        await CancellationScope.nonCancellable(() => local.advanceApproval({ ...base, change: { kind: 'cancelled', reason } })).catch(() => undefined);
      }
      throw error;
    }
  }

  /** Tells a level's channel that the approval waits for it. A failed notification leaves the approval open. */
  private async notifyLevel(step: ApprovalStep, frame: Frame, ref: StepRef, opened: { approvalId: string; question: string; action: string | null; target: string | null }, level: number): Promise<void> {
    const spec = step.levels[level]!;
    const { runAction } = proxyActivities<CaseActivities>({ ...this.regularOptions(step, frame), retry: retryPolicy({ maxAttempts: 3, initialInterval: '500ms' }) });
    try {
      await runAction({
        ...ref,
        visit: `${ref.visit}.level${level + 1}`,
        action: `notify:${spec.notify}`,
        params: {},
        notify: { channel: spec.notify!, template: APPROVAL_NOTICE },
        scope: {
          approval: {
            id: opened.approvalId,
            caseId: this.host.caseId,
            question: opened.question,
            action: opened.action ?? 'none',
            target: opened.target ?? 'none',
            level: level + 1,
            escalated: level > 0,
            roles: spec.roles.join(', '),
            timeout: spec.timeout,
          },
        },
        scheduledAt: Date.now(),
        firstStep: false,
        dryRun: this.host.dryRun,
      });
    } catch (error) {
      if (isCancellation(error)) throw error;
      // runAction wrote the failure to the timeline; the approval stays open.
    }
  }
}

/** The text sent to a level's `notify` channel (data comes from the scope, never compiled). */
const APPROVAL_NOTICE =
  'Approval needed{{#if approval.escalated}} (escalated to level {{approval.level}}){{/if}}: {{approval.question}}\n' +
  'Action: {{approval.action}} on {{approval.target}}\n' +
  'Who: {{approval.roles}}, within {{approval.timeout}}. Case {{approval.caseId}}, approval {{approval.id}}.';
