import { type ActivityOptions, ApplicationFailure, type LocalActivityOptions } from '@temporalio/workflow';
import type { RunEnd, StepRef } from '../contracts/case-activities.js';
import type { PinnedPlaybook, StepStatus } from '../contracts/case-messages.js';
import { parseDuration } from '../language/duration.js';
import type { Ast } from '../language/expression.js';
import type { EndStep, RetrySpec, Step } from '../language/playbook.types.js';
import type { ScopeNeeds } from '../language/scope-reads.js';
import type { PinnedReads } from '../language/step-reads.js';
import type { ActionCall } from './action-step.js';
import type { ApprovalGate } from './approval-gate.js';
import type { ApprovedGuards } from './approval-step.js';
import type { LineBuffer } from './line-buffer.js';

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
  /** What the steps' templates read, pinned with the run; without it the interpreter scans the templates itself. */
  reads?: PinnedReads;
}

/** Where a list of steps runs: the scope it reads and writes, and how its visits are keyed. */
export interface Frame {
  scope: Record<string, unknown>;
  /** Prefix of every visit key in this frame (`1[3]/` inside item 3 of a foreach's first visit). */
  prefix: string;
  /** Retry policy inherited from an enclosing parallel, foreach or loop. */
  retry?: RetrySpec;
}

export interface Route {
  goto?: string;
  end?: EndStep;
}

/** The route of a step that goes on to the next one. */
export const CONTINUE: Route = Object.freeze({});

/** What a runner gives back: a route at once, a promise of one, or an activity call for runList to make. */
export type StepOutcome = Route | Promise<Route> | ActionCall;

/** What a step kind's runner may use of the run it is part of (PlaybookInterpreter implements it). */
export interface StepRun {
  readonly host: InterpreterHost;
  readonly lines: LineBuffer;
  readonly approved: ApprovedGuards;
  /** For the step runList is about to run: how the run ends if it succeeds (RunActionInput.endsRun). */
  readonly nextEndsRun: RunEnd | undefined;
  /** Evaluates an expression, parsing its text once per run. */
  eval(text: string, scope: Record<string, unknown>): unknown;
  /** The parsed expression, cached for the run. */
  ast(text: string): Ast;
  /** A step of this run (or one an approval in it may guard) by id. */
  stepById(id: string): Step | undefined;
  /** What the step's templates read (pinned with the run). */
  readsOf(step: Step): ScopeNeeds;
  recordOutput(step: Step, frame: Frame, output: unknown, bindAs?: string): void;
  /** Holds the one line of a step that ran others or waited, with its start time. */
  recordFinished(step: Step, ref: StepRef, startedAt: number, message: string, data?: Record<string, unknown>): void;
  runList(list: readonly Step[], frame: Frame): Promise<EndStep | undefined>;
}

const DEFAULT_RETRY: RetrySpec = { maxAttempts: 3, initialInterval: '200ms', backoff: 2, maxInterval: '10s' };
/** Steps whose `timeout` bounds the whole step (for action and notify it bounds one activity attempt). */
export const SCOPED_TIMEOUT_KINDS: ReadonlySet<Step['kind']> = new Set(['parallel', 'foreach', 'loop', 'playbook', 'approval', 'wait']);

export function retryPolicy(spec: RetrySpec | undefined) {
  const r = { ...DEFAULT_RETRY, ...spec };
  return {
    maximumAttempts: r.maxAttempts,
    initialInterval: r.initialInterval,
    backoffCoefficient: r.backoff,
    maximumInterval: r.maxInterval,
  };
}

export function localOptions(step: Step, frame: Frame): LocalActivityOptions {
  // Short steps run as local activities: half the latency of a regular activity on this engine.
  return { startToCloseTimeout: SCOPED_TIMEOUT_KINDS.has(step.kind) ? '30s' : (step.timeout ?? '30s'), retry: retryPolicy(step.retry ?? frame.retry) };
}

export function regularOptions(step: Step, frame: Frame): ActivityOptions {
  // Kept short so a call in flight when a worker dies is retried soon (containment is idempotent).
  return { startToCloseTimeout: SCOPED_TIMEOUT_KINDS.has(step.kind) ? '30s' : (step.timeout ?? '30s'), retry: retryPolicy(step.retry ?? frame.retry) };
}

/** Milliseconds of a duration the validator accepted; a playbook error otherwise. */
export function durationOf(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw ApplicationFailure.nonRetryable(`invalid duration '${text}'`, 'InvalidPlaybook');
  return ms;
}

export function failureMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return failureMessage(error.errors[0]);
  if (error instanceof Error) {
    let cause: unknown = (error as { cause?: unknown }).cause;
    // Child workflow and activity failures wrap the failure that says what went wrong.
    while (cause instanceof Error && (cause as { cause?: unknown }).cause instanceof Error) cause = (cause as { cause?: unknown }).cause;
    return cause instanceof Error ? cause.message : error.message;
  }
  return String(error);
}
