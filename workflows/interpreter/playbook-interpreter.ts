import { ApplicationFailure, CancellationScope, isCancellation, workflowInfo } from '@temporalio/workflow';
import type { CarriedLines, RunActionResult, RunEnd, StepRef } from '../contracts/case-activities.js';
import type { StepStatus } from '../contracts/case-messages.js';
import type { ForeachItemResult } from '../contracts/child-workflows.js';
import { type Ast, evaluate, isTruthy, parseExpression } from '../language/expression.js';
import type { CaseStatusName, EndStep, ForeachStep, OnFailure, Step } from '../language/playbook.types.js';
import { type ScopeNeeds, sliceScope } from '../language/scope-reads.js';
import { stepLists } from '../language/step-model.js';
import { readRoots, stepReads, unpinnedNeeds } from '../language/step-reads.js';
import { ActionCall } from './action-step.js';
import { ApprovedGuards } from './approval-step.js';
import { runItems } from './foreach-step.js';
import { LineBuffer } from './line-buffer.js';
import { CONTINUE, failureMessage, type Frame, type InterpreterHost, type Route, SCOPED_TIMEOUT_KINDS, type StepOutcome, type StepRun } from './step-run.js';
import { runStepKind } from './step-runners.js';

export type { InterpreterHost } from './step-run.js';

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

/** Steps whose activity writes its own failure lines. */
const OWN_FAILURE_LINES: ReadonlySet<Step['kind']> = new Set(['action', 'notify']);

/**
 * Runs one playbook's step list deterministically: the control flow (routes, failures, timeouts);
 * each step kind has its runner (step-runners.ts). Every side effect is an activity; routing,
 * conditions and variables are evaluated here, from workflow state only. One instance per run:
 * its caches (parsed expressions, what each step reads) live and die with the run.
 */
export class PlaybookInterpreter implements StepRun {
  readonly lines: LineBuffer;
  readonly approved = new ApprovedGuards();
  /** For the step runList is about to run: how the run ends if it succeeds (see endOfRunAfter). */
  nextEndsRun: RunEnd | undefined;
  private readonly visits = new Map<string, number>();
  private readonly asts = new Map<string, Ast>();
  private readonly needs = new Map<string, ScopeNeeds>();
  private readonly indexes = new Map<readonly Step[], Map<string, number>>();
  private readonly byId = new Map<string, Step>();
  /** Roots for scanning templates in a run started without pinned reads. */
  private roots: string[] | undefined;
  private stepsRun = 0;
  private endWritten = false;

  constructor(
    private readonly steps: readonly Step[],
    readonly host: InterpreterHost,
    /** Steps outside `steps` an approval may guard (a foreach chunk runs only the body). */
    private readonly guardable: readonly Step[] = [],
  ) {
    const index = (list: readonly Step[]): void => {
      for (const step of list) {
        this.byId.set(step.id, step);
        for (const nested of stepLists(step)) index(nested.steps);
      }
    };
    index(guardable);
    index(steps);
    this.lines = new LineBuffer(host.tenantId, host.caseId, host.topLevel);
  }

  /** Waits for background writes, then hands over what is still held (for the activity that ends the run). */
  takeLines(): CarriedLines | Promise<CarriedLines> {
    return this.lines.takeLines();
  }

  /** Writes everything still held: the end of a child run, which has no run-ending activity of its own. */
  flushLines(): Promise<void> {
    return this.lines.flushLines();
  }

  async run(scope: Record<string, unknown>): Promise<RunOutcome> {
    try {
      const end = await this.runList(this.steps, { scope, prefix: '' });
      const summaryScope = end?.summary !== undefined ? sliceScope(scope, this.readsOf(end)) : undefined;
      return {
        runStatus: 'completed',
        ...(this.endWritten ? { endWritten: true } : {}),
        status: end?.status,
        resolution: end?.resolution,
        summary: end?.summary,
        summaryScope,
        stepsRun: this.stepsRun,
      };
    } catch (error) {
      if (isCancellation(error)) throw error;
      return { runStatus: 'failed', error: failureMessage(error), stepsRun: this.stepsRun };
    }
  }

  /** The body of a foreach chunk workflow: `items` of the foreach `step`, numbered from `offset`. */
  runItems(
    step: Pick<ForeachStep, 'id' | 'as' | 'steps'>,
    items: readonly unknown[],
    offset: number,
    concurrency: number,
    frame: Frame,
    visitBase: string,
  ): Promise<{ items: ForeachItemResult[]; end?: EndStep }> {
    return runItems(this, step, items, offset, concurrency, frame, visitBase);
  }

  /** Runs a list of steps; resolves with the `end` step that stopped it, if any. */
  async runList(list: readonly Step[], frame: Frame): Promise<EndStep | undefined> {
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
    if (step.kind !== 'action' || this.lines.writing) return undefined;
    const at = step.next !== undefined ? index.get(step.next) : pc + 1;
    if (at === undefined) return undefined;
    const following = list[at];
    if (following === undefined) return { stepsRun: this.stepsRun + 1 };
    if (following.kind !== 'end' || following.when !== undefined || following.summary !== undefined) return undefined;
    return {
      stepsRun: this.stepsRun + 2,
      ...(following.status !== undefined ? { status: following.status } : {}),
      ...(following.resolution !== undefined ? { resolution: following.resolution } : {}),
    };
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

  recordOutput(step: Step, frame: Frame, output: unknown, bindAs?: string): void {
    this.stepsOf(frame)[step.id] = { output, status: 'completed' };
    if (bindAs) {
      const vars = (frame.scope['vars'] ??= {}) as Record<string, unknown>;
      vars[bindAs] = output;
    }
  }

  ast(text: string): Ast {
    let ast = this.asts.get(text);
    if (!ast) {
      ast = parseExpression(text);
      this.asts.set(text, ast);
    }
    return ast;
  }

  eval(text: string, scope: Record<string, unknown>): unknown {
    return evaluate(this.ast(text), scope);
  }

  stepById(id: string): Step | undefined {
    return this.byId.get(id);
  }

  /** What the step's templates read: pinned with the run, else scanned once per step and run. */
  readsOf(step: Step): ScopeNeeds {
    const cached = this.needs.get(step.id);
    if (cached) return cached;
    const pinned = this.host.reads?.[step.id];
    let needs: ScopeNeeds;
    if (pinned !== undefined) {
      needs = unpinnedNeeds(pinned);
    } else {
      this.roots ??= readRoots([...this.guardable, ...this.steps]);
      needs = stepReads(step, (id) => this.byId.get(id), this.roots);
    }
    this.needs.set(step.id, needs);
    return needs;
  }

  /**
   * Runs one step. A step that needs no activity (condition, switch, set, end) finishes without a
   * promise, and one that does costs one async layer: in workflow code every promise is expensive
   * (the SDK captures a stack trace for each, for its stack trace query), so the hot path of a
   * playbook stays flat. See bench/engine.bench.ts.
   */
  private runStep(step: Step, frame: Frame): StepOutcome {
    if (step.when !== undefined && !isTruthy(this.eval(step.when, frame.scope))) {
      this.setState(step.id, { state: 'skipped' });
      this.stepsOf(frame)[step.id] = { status: 'skipped' };
      return step.next !== undefined ? { goto: step.next } : CONTINUE;
    }
    const startedAt = Date.now();
    this.setState(step.id, { state: 'running', startedAt, error: undefined, finishedAt: undefined });
    const ref = this.ref(step, frame);
    let outcome: StepOutcome;
    try {
      outcome =
        step.timeout !== undefined && SCOPED_TIMEOUT_KINDS.has(step.kind)
          ? this.withScopedTimeout(step, step.timeout, ref, startedAt, frame)
          : runStepKind(this, step, frame, ref, startedAt);
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
    if (result.linesWritten !== true) this.lines.uncarry(call.carried);
    if (result.line) this.lines.hold({ ...result.line, data: { ...result.line.data, output: result.output } }, result.line.at);
    this.recordOutput(step, frame, result.output, call.bindAs);
    return CONTINUE;
  }

  private actionFailed(step: Step, frame: Frame, call: ActionCall, error: unknown): Promise<Route> {
    this.lines.uncarry(call.carried);
    return this.stepFailed(step, frame, call.ref, call.startedAt, error);
  }

  /** The action call of a step that is not run from `runList` (inside a scoped timeout). */
  private async runCall(step: Step, frame: Frame, call: ActionCall): Promise<Route> {
    let result: RunActionResult;
    try {
      result = await call.activities.runAction(call.input);
    } catch (error) {
      this.lines.uncarry(call.carried);
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
    if (!OWN_FAILURE_LINES.has(step.kind)) this.recordFailure(step, ref, startedAt, message);
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
        const outcome = runStepKind(this, step, frame, ref, startedAt);
        return outcome instanceof ActionCall ? this.runCall(step, frame, outcome) : outcome;
      });
    } catch (error) {
      if (isCancellation(error) && scope.consideredCancelled && !outer.consideredCancelled) {
        throw ApplicationFailure.nonRetryable(`${step.kind} step ${step.id} timed out after ${timeout}`, 'StepTimeout');
      }
      throw error;
    }
  }

  private recordFailure(step: Step, ref: StepRef, startedAt: number, message: string): void {
    const line = { kind: 'step_failed' as const, message: `${step.kind} step failed: ${message}`, data: this.lineData(step, startedAt, { error: message }) };
    this.lines.hold({ stepId: step.id, dedupKey: `${ref.workflowId}:${step.id}:${ref.visit}`, ...line }, Date.now());
  }

  recordFinished(step: Step, ref: StepRef, startedAt: number, message: string, data: Record<string, unknown> = {}): void {
    const line = { kind: 'step_finished' as const, message, data: this.lineData(step, startedAt, data) };
    this.lines.hold({ stepId: step.id, dedupKey: `${ref.workflowId}:${step.id}:${ref.visit}`, ...line }, Date.now());
  }

  /** The data of a line the workflow writes for a step: its kind, start and duration, and `extra`. */
  private lineData(step: Step, startedAt: number, extra: Record<string, unknown>): Record<string, unknown> {
    return { kind: step.kind, startedAt: new Date(startedAt).toISOString(), durationMs: Date.now() - startedAt, ...extra };
  }
}
