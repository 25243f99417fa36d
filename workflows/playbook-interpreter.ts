import { ApplicationFailure, type ActivityOptions, type LocalActivityOptions, proxyActivities, proxyLocalActivities, sleep, condition, workflowInfo } from '@temporalio/workflow';
import type { CaseActivities, StepRef } from '../src/activities/case-activity.types.js';
import type { StepStatus } from './case-messages.js';
import { evaluate } from './expression.js';
import type { ActionStep, CaseStatusName, EndStep, OnFailure, Playbook, RetrySpec, Step } from './playbook.types.js';

/** What the interpreter needs from the workflow around it. */
export interface InterpreterHost {
  tenantId: string;
  caseId: string;
  /** Action keys that must run as regular activities (containment, notification, ticketing). */
  regularActions: ReadonlySet<string>;
  scope: Record<string, unknown>;
  steps: Map<string, StepStatus>;
  /** Number of alerts seen so far; `wait until: new_alert` waits for it to grow. */
  alertCount(): number;
  dryRun: boolean;
}

export interface RunOutcome {
  runStatus: 'completed' | 'failed';
  status?: CaseStatusName;
  resolution?: string;
  summary?: string;
  error?: string;
  stepsRun: number;
}

const DEFAULT_RETRY: RetrySpec = { maxAttempts: 3, initialInterval: '200ms', backoff: 2, maxInterval: '10s' };

function retryPolicy(spec: RetrySpec | undefined) {
  const r = { ...DEFAULT_RETRY, ...spec };
  return {
    maximumAttempts: r.maxAttempts,
    initialInterval: r.initialInterval,
    backoffCoefficient: r.backoff,
    maximumInterval: r.maxInterval,
  };
}

function localOptions(step: { timeout?: string; retry?: RetrySpec }): LocalActivityOptions {
  // Short steps run as local activities: half the latency of a regular activity on this engine.
  return { startToCloseTimeout: step.timeout ?? '30s', retry: retryPolicy(step.retry) };
}

function regularOptions(step: { timeout?: string; retry?: RetrySpec }): ActivityOptions {
  // Kept short so a call in flight when a worker dies is retried soon (containment is idempotent).
  return { startToCloseTimeout: step.timeout ?? '30s', retry: retryPolicy(step.retry) };
}

function truthy(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false && value !== 0 && value !== '';
}

function failureMessage(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? cause.message : error.message;
  }
  return String(error);
}

/**
 * Runs one playbook's step list deterministically. Every side effect is an activity; routing,
 * conditions and variables are evaluated here, from workflow state only. One instance per run.
 */
export class PlaybookInterpreter {
  private readonly visits = new Map<string, number>();
  private stepsRun = 0;

  constructor(
    private readonly playbook: Playbook,
    private readonly host: InterpreterHost,
  ) {}

  async run(): Promise<RunOutcome> {
    try {
      const end = await this.runList(this.playbook.steps);
      return { runStatus: 'completed', status: end?.status, resolution: end?.resolution, summary: end?.summary, stepsRun: this.stepsRun };
    } catch (error) {
      return { runStatus: 'failed', error: failureMessage(error), stepsRun: this.stepsRun };
    }
  }

  /** Runs a list of steps; resolves with the `end` step that stopped it, if any. */
  private async runList(list: Step[]): Promise<EndStep | undefined> {
    const index = new Map(list.map((s, i) => [s.id, i]));
    let pc = 0;
    while (pc < list.length) {
      const step = list[pc]!;
      const route = await this.runStep(step);
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

  private ref(step: Step): StepRef {
    const visit = (this.visits.get(step.id) ?? 0) + 1;
    this.visits.set(step.id, visit);
    return { tenantId: this.host.tenantId, caseId: this.host.caseId, workflowId: workflowInfo().workflowId, stepId: step.id, visit: String(visit) };
  }

  private setState(stepId: string, patch: Partial<StepStatus>): void {
    const prev = this.host.steps.get(stepId) ?? { stepId, state: 'pending' as const };
    this.host.steps.set(stepId, { ...prev, ...patch });
  }

  private stepOutputs(): Record<string, unknown> {
    const steps = this.host.scope['steps'];
    return (steps && typeof steps === 'object' ? steps : {}) as Record<string, unknown>;
  }

  private recordOutput(step: Step, output: unknown, bindAs?: string): void {
    this.stepOutputs()[step.id] = { output, status: 'completed' };
    if (bindAs) (this.host.scope['vars'] as Record<string, unknown>)[bindAs] = output;
  }

  private async runStep(step: Step): Promise<{ goto?: string; end?: EndStep }> {
    if (step.when !== undefined && !truthy(evaluate(step.when, this.host.scope))) {
      this.setState(step.id, { state: 'skipped' });
      this.stepOutputs()[step.id] = { status: 'skipped' };
      return step.next !== undefined ? { goto: step.next } : {};
    }
    this.setState(step.id, { state: 'running', startedAt: Date.now() });
    try {
      const route = await this.execute(step);
      this.stepsRun += 1;
      this.setState(step.id, { state: 'completed', finishedAt: Date.now() });
      if (route.end || route.goto !== undefined) return route;
      return step.next !== undefined ? { goto: step.next } : {};
    } catch (error) {
      const message = failureMessage(error);
      this.setState(step.id, { state: 'failed', finishedAt: Date.now(), error: message });
      this.stepOutputs()[step.id] = { status: 'failed', error: message };
      const onFailure: OnFailure = step.onFailure ?? 'fail';
      if (onFailure === 'fail') throw error;
      if (onFailure === 'continue') return {};
      return { goto: onFailure.goto };
    }
  }

  private async execute(step: Step): Promise<{ goto?: string; end?: EndStep }> {
    switch (step.kind) {
      case 'action':
        await this.runAction(step);
        return {};
      case 'condition': {
        const result = truthy(evaluate(step.if, this.host.scope));
        this.recordOutput(step, { result });
        const target = result ? step.then : step.else;
        return target !== undefined ? { goto: target } : {};
      }
      case 'switch': {
        const value = evaluate(step.on, this.host.scope);
        const key = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
        const target = Object.prototype.hasOwnProperty.call(step.cases, key) ? step.cases[key] : step.default;
        this.recordOutput(step, { value: key });
        return target !== undefined ? { goto: target } : {};
      }
      case 'set': {
        const vars = this.host.scope['vars'] as Record<string, unknown>;
        for (const [name, expression] of Object.entries(step.vars)) vars[name] = evaluate(expression, this.host.scope);
        this.recordOutput(step, {});
        return {};
      }
      case 'wait': {
        if (step.until === 'new_alert') {
          const seen = this.host.alertCount();
          const arrived = step.duration === undefined ? (await condition(() => this.host.alertCount() > seen), true) : await condition(() => this.host.alertCount() > seen, step.duration);
          this.recordOutput(step, { newAlert: arrived });
        } else if (step.duration !== undefined) {
          await sleep(step.duration);
          this.recordOutput(step, {});
        }
        return {};
      }
      case 'status': {
        const activities = proxyLocalActivities<CaseActivities>(localOptions(step));
        await activities.recordStep({ ...this.ref(step), kind: 'step_finished', message: `status set to ${step.status}`, status: step.status, firstStep: this.stepsRun === 0 });
        this.recordOutput(step, { status: step.status });
        return {};
      }
      case 'end':
        this.recordOutput(step, { status: step.status });
        return { end: step };
      default:
        // Not yet interpreted: refuse clearly rather than skipping silently.
        throw ApplicationFailure.nonRetryable(`step kind '${step.kind}' is not supported by this version of Vigil's interpreter`, 'UnsupportedStep');
    }
  }

  private async runAction(step: ActionStep): Promise<void> {
    const input = {
      ...this.ref(step),
      action: step.action,
      params: step.with ?? {},
      scope: this.host.scope,
      scheduledAt: Date.now(),
      firstStep: this.stepsRun === 0,
      dryRun: this.host.dryRun,
    };
    const activities = this.host.regularActions.has(step.action)
      ? proxyActivities<CaseActivities>(regularOptions(step))
      : proxyLocalActivities<CaseActivities>(localOptions(step));
    const result = await activities.runAction(input);
    this.recordOutput(step, result.output, step.output);
  }
}
