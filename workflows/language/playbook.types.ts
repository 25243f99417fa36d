/**
 * The playbook model as the interpreter sees it: parsed, validated YAML, pinned at case start.
 * The zod schema in src/playbooks/playbook.schema.ts is the source of truth for authors (and for
 * the JSON Schema); it is checked at compile time to produce exactly these types.
 *
 * Steps form a list. Execution falls through to the next step unless a step routes elsewhere
 * (`next`, condition/switch targets, `onFailure`). Nested lists (`parallel` branches, `foreach`
 * and `loop` bodies) are explicit scopes; a route may only target a step in the same list.
 */

/** A duration such as `30s`, `5m`, `2h`, `1d` or `250ms`. */
export type DurationText = string;
/** An expression in Vigil's expression language (see workflows/expression.ts). */
export type Expression = string;

export interface RetrySpec {
  maxAttempts?: number;
  initialInterval?: DurationText;
  backoff?: number;
  maxInterval?: DurationText;
}

/** `fail` (default) stops the run, `continue` goes on with the following step in the list, `{ goto }` routes to a step id in the same list. */
export type OnFailure = 'fail' | 'continue' | { goto: string };

export interface StepBase {
  id: string;
  name?: string;
  /** Skip the step unless this expression is truthy; a skipped step goes on to its `next`, else the following step. */
  when?: Expression;
  timeout?: DurationText;
  retry?: RetrySpec;
  onFailure?: OnFailure;
  /** Route to this step id after this one instead of the next in the list. */
  next?: string;
}

export interface ActionStep extends StepBase {
  kind: 'action';
  /** Integration action key, e.g. `virustotal.get_ip_report`. */
  action: string;
  /** Parameters; string values are handlebars templates rendered in the activity. */
  with?: Record<string, unknown>;
  /** Bind the action output to `vars.<output>` as well as `steps.<id>.output`. */
  output?: string;
  /** Containment only: undo it automatically (run its inverse) this long after it succeeded. */
  expiresIn?: DurationText;
}

export interface ConditionStep extends StepBase {
  kind: 'condition';
  if: Expression;
  then: string;
  else?: string;
}

export interface SwitchStep extends StepBase {
  kind: 'switch';
  on: Expression;
  cases: Record<string, string>;
  default?: string;
}

export interface ParallelStep extends StepBase {
  kind: 'parallel';
  join?: 'all' | 'any';
  branches: Step[][];
}

export interface ForeachStep extends StepBase {
  kind: 'foreach';
  items: Expression;
  /** Name the current item is bound to inside the body (default `item`). */
  as?: string;
  concurrency?: number;
  steps: Step[];
}

export interface LoopStep extends StepBase {
  kind: 'loop';
  while: Expression;
  maxIterations: number;
  steps: Step[];
}

export interface ApprovalLevel {
  roles: string[];
  timeout: DurationText;
  /** Channel to notify when this level opens (escalation). */
  notify?: string;
}

export interface ApprovalStep extends StepBase {
  kind: 'approval';
  question: string;
  /** Expressions shown to the approver as evidence, by label. */
  context?: Record<string, Expression>;
  /** Id of the action step this approval guards; approvers are shown its exact action and target. */
  guards?: string;
  quorum?: number;
  levels: ApprovalLevel[];
  defaultOutcome: 'approve' | 'reject';
  /** Routes by outcome; without them the run falls through and `steps.<id>.output.outcome` tells. */
  onApprove?: string;
  onReject?: string;
}

export interface WaitStep extends StepBase {
  kind: 'wait';
  duration?: DurationText;
  /** Wait until this signal arrives (`new_alert`), bounded by `duration` when both are set. */
  until?: 'new_alert';
}

export interface SetStep extends StepBase {
  kind: 'set';
  vars: Record<string, Expression>;
}

export interface NotifyStep extends StepBase {
  kind: 'notify';
  channel: string;
  /** Handlebars template text, or a template file name under playbooks/templates (`*.hbs`, `*.handlebars`, `*.md`, `*.txt`, `*.html`). */
  template: string;
  with?: Record<string, unknown>;
}

export interface SubPlaybookStep extends StepBase {
  kind: 'playbook';
  playbook: string;
  inputs?: Record<string, Expression>;
}

export type CaseStatusName = 'new' | 'triaged' | 'in_progress' | 'contained' | 'resolved' | 'closed' | 'on_hold' | 'false_positive';

export interface EndStep extends StepBase {
  kind: 'end';
  status?: CaseStatusName;
  resolution?: 'true_positive' | 'benign_positive' | 'false_positive';
  summary?: string;
}

/** Sets the case status without ending the run. */
export interface StatusStep extends StepBase {
  kind: 'status';
  status: CaseStatusName;
}

export type Step =
  ActionStep | ConditionStep | SwitchStep | ParallelStep | ForeachStep | LoopStep | ApprovalStep | WaitStep | SetStep | NotifyStep | SubPlaybookStep | EndStep | StatusStep;

export type StepKind = Step['kind'];

export interface PlaybookTrigger {
  sources?: string[];
  minSeverity?: number;
  tactics?: string[];
  techniques?: string[];
  observableTypes?: string[];
  tenants?: string[];
}

export interface PlaybookInput {
  name: string;
  type: 'string' | 'number' | 'boolean' | 'list';
  default?: unknown;
  description?: string;
}

export interface Playbook {
  id: string;
  name: string;
  version: string;
  description?: string;
  priority?: number;
  triggers?: PlaybookTrigger[];
  inputs?: PlaybookInput[];
  steps: Step[];
}
