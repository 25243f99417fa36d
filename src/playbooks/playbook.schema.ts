/**
 * The playbook schema: the source of truth for playbook authors and for playbooks/playbook.schema.json.
 * It must produce exactly the types in workflows/playbook.types.ts (the interpreter's contract); the
 * assertions at the end of this file fail the build when the two drift apart.
 *
 * The schema checks shape only. Meaning (route targets, reachability, cycles, action parameters,
 * expressions, templates) is checked by the validator in validation/.
 */
import { z } from 'zod';
import { ALERT_SOURCES, OBSERVABLE_TYPE_IDS } from '../common/canonical-alert.js';
import { DURATION_PATTERN } from '../../workflows/language/duration.js';
import type {
  ActionStep,
  ApprovalLevel,
  ApprovalStep,
  CaseStatusName,
  ConditionStep,
  EndStep,
  ForeachStep,
  LoopStep,
  NotifyStep,
  OnFailure,
  ParallelStep,
  Playbook,
  PlaybookInput,
  PlaybookTrigger,
  RetrySpec,
  SetStep,
  Step,
  StatusStep,
  SubPlaybookStep,
  SwitchStep,
  WaitStep,
} from '../../workflows/language/playbook.types.js';

export const STEP_ID_PATTERN = /^[a-z][a-z0-9_]*$/;
export const TACTIC_PATTERN = /^TA\d{4}$/;
export const TECHNIQUE_PATTERN = /^T\d{4}(\.\d{3})?$/;
/** Names that expressions and templates read back (`vars.x`, foreach `as`, inputs): identifiers of the expression language. */
export const VARIABLE_NAME_PATTERN = /^[a-z][a-zA-Z0-9_]*$/;
export const PLAYBOOK_ID_PATTERN = /^[a-z][a-z0-9_.-]*$/;
/** As the integration catalogue requires: `vendor.snake_case_action`. */
export const ACTION_KEY_PATTERN = /^[a-z][a-z0-9]*\.[a-z][a-z0-9_]*$/;

export const MAX_LOOP_ITERATIONS = 1000;
export const MAX_FOREACH_CONCURRENCY = 50;
export const MAX_RETRY_ATTEMPTS = 20;

export const CASE_STATUS_NAMES = ['new', 'triaged', 'in_progress', 'contained', 'resolved', 'closed', 'on_hold', 'false_positive'] as const satisfies readonly CaseStatusName[];

const OBSERVABLE_KINDS: readonly string[] = Object.keys(OBSERVABLE_TYPE_IDS);
const SOURCES: readonly string[] = ALERT_SOURCES;

// ---------------------------------------------------------------------------------------------
// Scalars

export const stepIdSchema = z
  .string()
  .regex(STEP_ID_PATTERN, { error: 'a step id is lower snake_case: a letter, then letters, digits or _ (^[a-z][a-z0-9_]*$)' })
  .meta({ id: 'StepId', description: 'A step id, unique across the playbook: lower snake_case.' });

const routeSchema = z
  .string()
  .regex(STEP_ID_PATTERN, { error: 'a route names a step id (lower snake_case)' })
  .meta({ id: 'Route', description: 'The id of a step in the same list to route to.' });

export const durationSchema = z
  .string()
  .regex(DURATION_PATTERN, { error: 'a duration is a positive whole number and a unit: 250ms, 30s, 5m, 2h or 1d' })
  .meta({ id: 'Duration', description: 'A duration: a positive whole number and a unit (ms, s, m, h, d), e.g. `30s`, `5m`, `250ms`.', examples: ['30s', '5m', '2h'] });

export const expressionSchema = z
  .string()
  .min(1, { error: 'an expression cannot be empty' })
  .meta({ id: 'Expression', description: "An expression in Vigil's expression language, e.g. `alert.severity_id >= 4 && len(observables) > 0`." });

const templateSchema = z.string().meta({ description: 'Text rendered as a handlebars template, e.g. `Isolate {{alert.device.hostname}}?`.' });

const variableNameSchema = z.string().regex(VARIABLE_NAME_PATTERN, { error: 'a variable name starts with a lower-case letter, then letters, digits or _' });

const caseStatusSchema = z.enum(CASE_STATUS_NAMES).meta({ description: 'A case status.' });

// ---------------------------------------------------------------------------------------------
// Step parts

export const retrySchema = z
  .object({
    maxAttempts: z.number().int().min(1).max(MAX_RETRY_ATTEMPTS).optional().meta({ description: 'Attempts in all, the first included.' }),
    initialInterval: durationSchema.optional().meta({ description: 'Wait before the first retry.' }),
    backoff: z.number().min(1).max(10).optional().meta({ description: 'Multiplier applied to the interval after each retry.' }),
    maxInterval: durationSchema.optional().meta({ description: 'Upper bound of the interval between retries.' }),
  })
  .strict()
  .meta({ id: 'Retry', title: 'Retry', description: 'How the step is retried when its activity fails with a retryable error.' });

export const onFailureSchema = z
  .union([
    z.literal('fail').meta({ description: 'Stop the run (the default).' }),
    z.literal('continue').meta({ description: 'Go on as if the step had succeeded; its output records the error.' }),
    z.object({ goto: routeSchema }).strict().meta({ description: 'Route to this step id in the same list.' }),
  ])
  .meta({ id: 'OnFailure', title: 'On failure', description: 'What happens when the step fails after its retries.' });

const stepBaseShape = {
  id: stepIdSchema,
  name: z.string().min(1).optional().meta({ description: 'A human title for timelines and the case view.' }),
  when: expressionSchema.optional().meta({ description: 'Skip the step unless this expression is truthy; a skipped step goes on to its `next`, else the following step.' }),
  timeout: durationSchema.optional().meta({ description: 'Upper bound for one attempt of the step.' }),
  retry: retrySchema.optional(),
  onFailure: onFailureSchema.optional(),
  next: routeSchema.optional().meta({ description: 'Route to this step id after this one instead of the next in the list.' }),
};

/**
 * Nested step lists reference the step union lazily. Typing the reference as the contract's `Step`
 * breaks the type-level recursion; nothing is lost, since every member of `Step` is checked below.
 */
const nestedStepSchema: z.ZodType<Step> = z.lazy(() => stepSchema).meta({ id: 'Step', title: 'Step', description: 'One step; its `kind` decides the other fields.' });
const stepListSchema = z.array(nestedStepSchema).min(1, { error: 'a step list needs at least one step' });

const paramsSchema = z.record(z.string(), z.unknown()).meta({ description: 'Parameters; every string in them is a handlebars template rendered just before the step runs.' });

// ---------------------------------------------------------------------------------------------
// Steps, one schema per kind

export const actionStepSchema = z
  .object({
    ...stepBaseShape,
    kind: z.literal('action'),
    action: z
      .string()
      .regex(ACTION_KEY_PATTERN, { error: 'an action key is vendor.action_name, e.g. virustotal.get_ip_report' })
      .meta({ description: 'Integration action key, e.g. `virustotal.get_ip_report`.' }),
    with: paramsSchema.optional(),
    output: variableNameSchema.optional().meta({ description: 'Also bind the action output to `vars.<output>`.' }),
    expiresIn: durationSchema.optional().meta({
      description: 'Containment actions only: undo the containment (run its inverse action) this long after it succeeded, e.g. `4h`. The case timeline records the revert.',
    }),
  })
  .strict()
  .meta({ title: 'Action step', description: 'Runs one integration action.' });

export const conditionStepSchema = z
  .object({
    ...stepBaseShape,
    kind: z.literal('condition'),
    if: expressionSchema,
    then: routeSchema.meta({ description: 'Step id to route to when `if` is truthy.' }),
    else: routeSchema.optional().meta({ description: 'Step id to route to when `if` is falsy; without it the run goes on with the next step.' }),
  })
  .strict()
  .meta({ title: 'Condition step', description: 'Routes on a boolean expression.' });

export const switchStepSchema = z
  .object({
    ...stepBaseShape,
    kind: z.literal('switch'),
    on: expressionSchema.meta({ description: 'Expression whose value, as text, picks the case.' }),
    cases: z.record(z.string(), routeSchema).meta({ description: 'Step id to route to, by value.' }),
    default: routeSchema.optional().meta({ description: 'Step id to route to when no case matches; without it the run goes on with the next step.' }),
  })
  .strict()
  .meta({ title: 'Switch step', description: 'Routes on the value of an expression.' });

export const parallelStepSchema = z
  .object({
    ...stepBaseShape,
    kind: z.literal('parallel'),
    join: z.enum(['all', 'any']).optional().meta({ description: '`all` (default) waits for every branch, `any` for the first to finish.' }),
    branches: z.array(stepListSchema).min(1, { error: 'a parallel step needs at least one branch' }).meta({ description: 'Step lists run side by side; each is its own scope.' }),
  })
  .strict()
  .meta({ title: 'Parallel step', description: 'Runs branches concurrently.' });

export const foreachStepSchema = z
  .object({
    ...stepBaseShape,
    kind: z.literal('foreach'),
    items: expressionSchema.meta({ description: 'Expression giving the list to iterate, e.g. `filterBy(observables, "kind", "ip")`.' }),
    as: variableNameSchema.optional().meta({ description: 'Name the current item is bound to inside the body (default `item`).' }),
    concurrency: z.number().int().min(1).max(MAX_FOREACH_CONCURRENCY).optional().meta({ description: 'Items processed at once (default 1).' }),
    steps: stepListSchema.meta({ description: 'The body, run once per item; its own scope.' }),
  })
  .strict()
  .meta({ title: 'Foreach step', description: 'Runs its body once per item of a list.' });

export const loopStepSchema = z
  .object({
    ...stepBaseShape,
    kind: z.literal('loop'),
    while: expressionSchema.meta({ description: 'Checked before each iteration; the loop ends when it is falsy.' }),
    maxIterations: z
      .number()
      .int()
      .min(1)
      .max(MAX_LOOP_ITERATIONS)
      .meta({ description: `Hard bound on iterations (at most ${MAX_LOOP_ITERATIONS}).` }),
    steps: stepListSchema.meta({ description: 'The body; its own scope.' }),
  })
  .strict()
  .meta({ title: 'Loop step', description: 'Repeats its body while an expression is truthy, within a bound.' });

export const approvalLevelSchema = z
  .object({
    roles: z.array(z.string().min(1)).min(1).meta({ description: 'Roles allowed to decide at this level.' }),
    timeout: durationSchema.meta({ description: 'How long this level stays open before escalating to the next (or taking the default outcome).' }),
    notify: z.string().min(1).optional().meta({ description: 'Channel to notify when this level opens.' }),
  })
  .strict()
  .meta({ title: 'Approval level' });

export const approvalStepSchema = z
  .object({
    ...stepBaseShape,
    kind: z.literal('approval'),
    question: templateSchema.min(1).meta({ description: 'The question put to approvers (a template).' }),
    context: z.record(z.string(), expressionSchema).optional().meta({ description: 'Evidence shown to approvers: expressions by label.' }),
    guards: stepIdSchema.optional().meta({ description: 'Id of the action step this approval guards; approvers see its exact action and target.' }),
    quorum: z.number().int().min(1).max(10).optional().meta({ description: 'Approvals needed (default 1).' }),
    levels: z.array(approvalLevelSchema).min(1).meta({ description: 'Escalation levels, in order.' }),
    defaultOutcome: z.enum(['approve', 'reject']).meta({ description: 'Outcome when the last level times out.' }),
    onApprove: routeSchema.optional().meta({ description: 'Step id to route to when approved.' }),
    onReject: routeSchema.optional().meta({ description: 'Step id to route to when rejected.' }),
  })
  .strict()
  .meta({ title: 'Approval step', description: 'Waits for a human decision, with escalation levels.' });

export const waitStepSchema = z
  .object({
    ...stepBaseShape,
    kind: z.literal('wait'),
    duration: durationSchema.optional().meta({ description: 'How long to wait; with `until`, the upper bound.' }),
    until: z.literal('new_alert').optional().meta({ description: 'Wait until a new alert joins the case.' }),
  })
  .strict()
  .meta({ title: 'Wait step', description: 'Pauses the run for a duration or until a signal.' });

export const setStepSchema = z
  .object({
    ...stepBaseShape,
    kind: z.literal('set'),
    vars: z.record(variableNameSchema, expressionSchema).meta({ description: 'Expressions to evaluate, bound to `vars.<name>`.' }),
  })
  .strict()
  .meta({ title: 'Set step', description: 'Sets run variables.' });

export const notifyStepSchema = z
  .object({
    ...stepBaseShape,
    kind: z.literal('notify'),
    channel: z.string().min(1).meta({ description: 'Notification channel name, e.g. `slack`, `email`.' }),
    template: templateSchema
      .min(1)
      .meta({ description: 'Handlebars template text, or a template file name under playbooks/templates (`*.hbs`, `*.handlebars`, `*.md`, `*.txt`, `*.html`).' }),
    with: paramsSchema.optional(),
  })
  .strict()
  .meta({ title: 'Notify step', description: 'Sends a message to a channel.' });

export const subPlaybookStepSchema = z
  .object({
    ...stepBaseShape,
    kind: z.literal('playbook'),
    playbook: z
      .string()
      .regex(PLAYBOOK_ID_PATTERN, { error: 'a playbook id is lower case: letters, digits, _ . -' })
      .meta({ description: 'Id of the playbook to run as a child.' }),
    inputs: z.record(variableNameSchema, expressionSchema).optional().meta({ description: "Expressions for the child's declared inputs, by name." }),
  })
  .strict()
  .meta({ title: 'Sub-playbook step', description: 'Runs another playbook and waits for it.' });

export const endStepSchema = z
  .object({
    ...stepBaseShape,
    kind: z.literal('end'),
    status: caseStatusSchema.optional(),
    resolution: z.enum(['true_positive', 'benign_positive', 'false_positive']).optional(),
    summary: templateSchema.optional().meta({ description: 'Closing summary for the case (a template).' }),
  })
  .strict()
  .meta({ title: 'End step', description: 'Ends the run, optionally setting the case status and resolution.' });

export const statusStepSchema = z
  .object({
    ...stepBaseShape,
    kind: z.literal('status'),
    status: caseStatusSchema,
  })
  .strict()
  .meta({ title: 'Status step', description: 'Sets the case status without ending the run.' });

export const stepSchemasByKind = {
  action: actionStepSchema,
  condition: conditionStepSchema,
  switch: switchStepSchema,
  parallel: parallelStepSchema,
  foreach: foreachStepSchema,
  loop: loopStepSchema,
  approval: approvalStepSchema,
  wait: waitStepSchema,
  set: setStepSchema,
  notify: notifyStepSchema,
  playbook: subPlaybookStepSchema,
  end: endStepSchema,
  status: statusStepSchema,
} as const;

export const STEP_KINDS = Object.keys(stepSchemasByKind) as (keyof typeof stepSchemasByKind)[];

export const stepSchema = z.discriminatedUnion('kind', [
  actionStepSchema,
  conditionStepSchema,
  switchStepSchema,
  parallelStepSchema,
  foreachStepSchema,
  loopStepSchema,
  approvalStepSchema,
  waitStepSchema,
  setStepSchema,
  notifyStepSchema,
  subPlaybookStepSchema,
  endStepSchema,
  statusStepSchema,
]);

// ---------------------------------------------------------------------------------------------
// Playbook

export const triggerSchema = z
  .object({
    sources: z
      .array(
        z
          .string()
          .refine((value) => SOURCES.includes(value), { error: `unknown alert source; expected one of ${ALERT_SOURCES.join(', ')}` })
          .meta({ enum: [...SOURCES] }),
      )
      .optional()
      .meta({ description: `Alert sources: ${ALERT_SOURCES.join(', ')}.` }),
    minSeverity: z.number().int().min(0).max(6).optional().meta({ description: 'Lowest OCSF severity_id that matches (0 Unknown … 6 Fatal).' }),
    tactics: z
      .array(z.string().regex(TACTIC_PATTERN, { error: 'an ATT&CK tactic id looks like TA0001' }))
      .optional()
      .meta({ description: 'ATT&CK tactic ids, e.g. `TA0001`.' }),
    techniques: z
      .array(z.string().regex(TECHNIQUE_PATTERN, { error: 'an ATT&CK technique id looks like T1059 or T1059.001' }))
      .optional()
      .meta({ description: 'ATT&CK technique or sub-technique ids, e.g. `T1059`, `T1059.001`.' }),
    observableTypes: z
      .array(
        z
          .string()
          .refine((value) => OBSERVABLE_KINDS.includes(value), { error: `unknown observable kind; expected one of ${OBSERVABLE_KINDS.join(', ')}` })
          .meta({ enum: [...OBSERVABLE_KINDS] }),
      )
      .optional()
      .meta({ description: `Observable kinds: ${OBSERVABLE_KINDS.join(', ')}.` }),
    tenants: z.array(z.string().min(1)).optional().meta({ description: 'Tenant ids; without them every tenant matches.' }),
  })
  .strict()
  .meta({ title: 'Trigger', description: 'An alert matches when it satisfies every field given.' });

export const playbookInputSchema = z
  .object({
    name: variableNameSchema.meta({ description: 'Read as `inputs.<name>`.' }),
    type: z.enum(['string', 'number', 'boolean', 'list']),
    default: z.unknown().optional().meta({ description: 'Value when the caller gives none; an input without a default is required.' }),
    description: z.string().optional(),
  })
  .strict()
  .meta({ title: 'Input', description: 'An input the playbook takes when run as a sub-playbook.' });

export const playbookSchema = z
  .object({
    id: z.string().regex(PLAYBOOK_ID_PATTERN, { error: 'a playbook id is lower case: letters, digits, _ . -' }).meta({ description: 'Stable id, e.g. `phishing-triage`.' }),
    name: z.string().min(1),
    version: z
      .string({ error: (issue) => (issue.input === undefined ? undefined : 'version is text: quote it, e.g. version: "1.0"') })
      .min(1)
      .meta({ description: 'Version text; quote it in YAML (`version: "1.2"`).' }),
    description: z.string().optional(),
    priority: z.number().int().optional().meta({ description: 'When several playbooks match an alert, the highest priority runs.' }),
    triggers: z.array(triggerSchema).optional().meta({ description: 'The playbook matches an alert when any trigger does.' }),
    inputs: z.array(playbookInputSchema).optional(),
    steps: stepListSchema.meta({ description: 'The steps, run in order unless a step routes elsewhere.' }),
  })
  .strict()
  .meta({ title: 'Vigil playbook', description: 'An incident response playbook run by Vigil for each matching case.' });

export type PlaybookSchemaOutput = z.infer<typeof playbookSchema>;

// ---------------------------------------------------------------------------------------------
// Compile-time contract: the schema and workflows/playbook.types.ts must describe the same types.
// `Equals` is type identity (both directions, optional vs required included), not mere assignability.

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;

export type SchemaMatchesContract = [
  Assert<Equals<z.infer<typeof retrySchema>, RetrySpec>>,
  Assert<Equals<z.infer<typeof onFailureSchema>, OnFailure>>,
  Assert<Equals<z.infer<typeof actionStepSchema>, ActionStep>>,
  Assert<Equals<z.infer<typeof conditionStepSchema>, ConditionStep>>,
  Assert<Equals<z.infer<typeof switchStepSchema>, SwitchStep>>,
  Assert<Equals<z.infer<typeof parallelStepSchema>, ParallelStep>>,
  Assert<Equals<z.infer<typeof foreachStepSchema>, ForeachStep>>,
  Assert<Equals<z.infer<typeof loopStepSchema>, LoopStep>>,
  Assert<Equals<z.infer<typeof approvalLevelSchema>, ApprovalLevel>>,
  Assert<Equals<z.infer<typeof approvalStepSchema>, ApprovalStep>>,
  Assert<Equals<z.infer<typeof waitStepSchema>, WaitStep>>,
  Assert<Equals<z.infer<typeof setStepSchema>, SetStep>>,
  Assert<Equals<z.infer<typeof notifyStepSchema>, NotifyStep>>,
  Assert<Equals<z.infer<typeof subPlaybookStepSchema>, SubPlaybookStep>>,
  Assert<Equals<z.infer<typeof endStepSchema>, EndStep>>,
  Assert<Equals<z.infer<typeof statusStepSchema>, StatusStep>>,
  Assert<Equals<z.infer<typeof stepSchema>, Step>>,
  Assert<Equals<z.infer<typeof triggerSchema>, PlaybookTrigger>>,
  Assert<Equals<z.infer<typeof playbookInputSchema>, PlaybookInput>>,
  Assert<Equals<PlaybookSchemaOutput, Playbook>>,
];
