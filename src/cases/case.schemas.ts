import { z } from 'zod';
import { CASE_RESOLUTIONS, CASE_STATUSES } from '../common/case-lifecycle.js';
import { listParam, singleParam } from '../common/http/query-params.js';

/** Case severity words, by OCSF severity_id (0–6). */
export const SEVERITY_WORDS = ['unknown', 'informational', 'low', 'medium', 'high', 'critical', 'fatal'] as const;
export type SeverityWord = (typeof SEVERITY_WORDS)[number];

export function severityWord(id: number): SeverityWord {
  return SEVERITY_WORDS[id] ?? 'unknown';
}

const status = z.enum(CASE_STATUSES);
const resolution = z.enum(CASE_RESOLUTIONS);
const uuid = z.uuid();
const tag = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[^,\s][^,]*$/, 'a tag has no commas');
const assignee = z.string().trim().min(1).max(200);
/** `high` or `4` (OCSF severity_id). */
const severity = z
  .union([z.enum(SEVERITY_WORDS), z.number().int().min(0).max(6), z.string().regex(/^[0-6]$/)])
  .transform((v) => (typeof v === 'number' ? v : /^[0-6]$/.test(v) ? Number(v) : SEVERITY_WORDS.indexOf(v as SeverityWord)));

export const CASE_SORTS = ['created_at', 'updated_at', 'severity', 'sla_due'] as const;
export type CaseSort = (typeof CASE_SORTS)[number];

export const caseIdParams = z.strictObject({ id: z.string().meta({ description: 'Case id' }) });
export const caseTaskParams = z.strictObject({ id: z.string().meta({ description: 'Case id' }), taskId: z.string().meta({ description: 'Task id' }) });

export const listCasesQuery = z.strictObject({
  status: listParam(status).optional().meta({ description: 'One or more statuses (comma-separated or repeated).', example: 'new,triaged' }),
  minSeverity: singleParam(severity).optional().meta({ description: 'Lowest severity: a word (`high`) or OCSF severity_id (`4`).', example: 'high' }),
  assignee: singleParam(assignee).optional().meta({ description: 'Exactly this assignee.' }),
  tag: listParam(tag).optional().meta({ description: 'Cases carrying every one of these tags.', example: 'phishing' }),
  source: listParam(z.string().min(1).max(64)).optional().meta({ description: 'Alert source(s) of the case (`generic`, `crowdstrike`, …).' }),
  createdFrom: singleParam(z.iso.datetime({ offset: true }))
    .optional()
    .meta({ description: 'Created at or after (ISO 8601).', example: '2026-01-01T00:00:00Z' }),
  createdTo: singleParam(z.iso.datetime({ offset: true }))
    .optional()
    .meta({ description: 'Created before (ISO 8601).' }),
  q: singleParam(z.string().trim().min(1).max(200)).optional().meta({ description: 'Text the title contains (case-insensitive).', example: 'beacon' }),
  sla: singleParam(z.enum(['breached', 'at_risk']))
    .optional()
    .meta({
      description:
        '`breached`: a clock of the case is breached (recorded, or still open past its due instant). `at_risk`: an open, running clock has passed its at-risk threshold (80 %, else the highest below 100 %) and is not yet due.',
      example: 'at_risk',
    }),
  sort: singleParam(z.enum(CASE_SORTS)).default('created_at').meta({
    description:
      "Sort key; ties are broken by id, so the order is stable. `sla_due`: the earliest due instant among the case's open SLA clocks (items then carry `slaDueAt`); cases with no open clock (or only an open hold) sort after every due instant in `asc`, before them in `desc`.",
  }),
  order: singleParam(z.enum(['asc', 'desc'])).default('desc'),
  cursor: singleParam(z.string().max(500)).optional().meta({ description: '`nextCursor` of the previous page (same filters and sort).' }),
  limit: singleParam(z.coerce.number().int().min(1).max(200)).default(50),
});
export type ListCasesQuery = z.output<typeof listCasesQuery>;

export const caseSummary = z.object({
  id: uuid,
  title: z.string(),
  status,
  severity: z.enum(SEVERITY_WORDS),
  severityId: z.number().int(),
  source: z.string(),
  assignee: z.string().nullable(),
  tags: z.array(z.string()),
  alertCount: z.number().int(),
  resolution: z.string().nullable(),
  mergedInto: uuid.nullable(),
  runStatus: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  slaDueAt: z.iso.datetime().nullable().optional().meta({ description: 'With `sort=sla_due` only: the earliest due instant among the open SLA clocks, null when none.' }),
});
export type CaseSummary = z.output<typeof caseSummary>;
export const casePage = z.object({ items: z.array(caseSummary), nextCursor: z.string().nullable() });

export const patchCaseBody = z
  .strictObject({
    status: status.optional(),
    resolution: resolution.optional().meta({ description: 'Required when closing (unless the case already has one).' }),
    severity: severity.optional().meta({ description: 'Raise the severity (a word or 0–6); never below the highest alert severity.' }),
    assignee: assignee.nullable().optional().meta({ description: 'Who works the case; null to unassign.' }),
    tags: z.array(tag).max(50).optional().meta({ description: 'Replaces the tags.' }),
  })
  .refine((b) => Object.keys(b).length > 0, 'send at least one field');
export type PatchCaseBody = z.output<typeof patchCaseBody>;

export const commentBody = z.strictObject({ body: z.string().trim().min(1).max(20_000) });
export const createTaskBody = z.strictObject({ title: z.string().trim().min(1).max(500), assignee: assignee.nullable().optional() });
export const patchTaskBody = z
  .strictObject({ title: z.string().trim().min(1).max(500).optional(), assignee: assignee.nullable().optional(), done: z.boolean().optional() })
  .refine((b) => Object.keys(b).length > 0, 'send at least one field');
export type PatchTaskBody = z.output<typeof patchTaskBody>;
export const mergeBody = z.strictObject({ into: uuid.meta({ description: 'The surviving case: it receives the alerts, timeline, comments and tasks.' }) });
export const revertBody = z.strictObject({ reason: z.string().trim().min(1).max(2000).optional() });

export const commentView = z.object({ id: uuid, author: z.string(), body: z.string(), createdAt: z.iso.datetime() });
export type CommentView = z.output<typeof commentView>;
export const taskView = z.object({
  id: uuid,
  title: z.string(),
  assignee: z.string().nullable(),
  done: z.boolean(),
  createdBy: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  doneAt: z.iso.datetime().nullable(),
});
export type TaskView = z.output<typeof taskView>;

export const observableView = z.object({
  kind: z.string(),
  value: z.string(),
  type_id: z.number().int().optional(),
  alertCount: z.number().int().meta({ description: 'How many of the case alerts carry it.' }),
  verdict: z.string().nullable().meta({ description: 'The worst verdict enrichment gave it (malicious > suspicious > clean > unknown), or null.' }),
  verdicts: z.array(z.object({ verdict: z.string(), action: z.string().nullable(), stepId: z.string().nullable(), at: z.string() })),
});
export type ObservableView = z.output<typeof observableView>;
export const attackView = z.object({
  tactic: z.object({ uid: z.string(), name: z.string().optional() }).nullable(),
  technique: z.object({ uid: z.string(), name: z.string().optional() }).nullable(),
  subTechnique: z.object({ uid: z.string(), name: z.string().optional() }).nullable(),
});
export type AttackView = z.output<typeof attackView>;

export const timelineEntry = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  kind: z.string(),
  stepId: z.string().nullable(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()),
});

/** One alert of a case view: what the case needs of it, and where the whole alert is (`GET /api/v1/alerts/{id}`). */
export const caseAlertView = z.object({
  id: uuid,
  source: z.string(),
  sourceUid: z.string(),
  title: z.string(),
  severityId: z.number().int(),
  time: z.iso.datetime().meta({ description: "The alert's event time." }),
  count: z.number().int(),
  firstSeenAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime(),
  joinReason: z.record(z.string(), z.unknown()),
  observables: z.array(z.record(z.string(), z.unknown())),
  attacks: z.array(z.record(z.string(), z.unknown())).nullable(),
  links: z.object({ self: z.string().meta({ description: '`/api/v1/alerts/{id}`: the alert in full.' }) }),
});

/** One SLA clock of a case, as `GET /api/v1/cases/{id}` shows it: computed at read time over the stored plan. */
export const slaClockView = z.object({
  clock: z.enum(['acknowledge', 'contain', 'resolve']),
  status: z.enum(['running', 'paused', 'met', 'breached']),
  policyId: uuid,
  severityId: z.number().int().meta({ description: 'The severity the clock follows: the highest the case has had.' }),
  startedAt: z.iso.datetime(),
  dueAt: z.iso.datetime().nullable().meta({ description: 'Null while the case is on hold (with a policy that pauses on hold).' }),
  remainingMs: z.number().int().nullable().meta({ description: 'Working time left (negative once overdue); null once the clock stopped.' }),
  elapsedMs: z.number().int().meta({ description: 'Working time counted so far (up to the stop).' }),
  targetMs: z.number().int(),
  paused: z.boolean(),
  met: z.boolean(),
  metAt: z.iso.datetime().nullable(),
  breached: z.boolean(),
  breachedByMs: z.number().int().meta({ description: 'Working time past the target (0 unless breached).' }),
  breachedAt: z.iso.datetime().nullable().meta({ description: 'When Vigil recorded the breach (the due instant).' }),
  stoppedAt: z.iso.datetime().nullable(),
  acknowledgedAt: z.iso.datetime().nullable().meta({ description: "When someone acknowledged the clock's paging (paging stops; the clock keeps counting)." }),
  acknowledgedBy: z.string().nullable(),
  thresholds: z.array(z.object({ percent: z.number(), at: z.iso.datetime().nullable(), reached: z.boolean() })),
});

export const caseDetail = caseSummary.extend({
  run: z.object({
    status: z.string(),
    playbookId: z.string().nullable(),
    playbookVersion: z.string().nullable(),
    playbookHash: z.string().nullable(),
    workflowId: z.string(),
    temporalUrl: z.string(),
    live: z.record(z.string(), z.unknown()).nullable().meta({ description: 'Live step states from the running workflow, when it answers.' }),
  }),
  allowedTransitions: z.array(status).meta({ description: 'Statuses an analyst may move the case to now.' }),
  alerts: z.array(caseAlertView),
  observables: z.array(observableView),
  attacks: z.array(attackView),
  approvals: z.array(z.record(z.string(), z.unknown())),
  tasks: z.array(taskView),
  comments: z.array(commentView),
  timeline: z.array(timelineEntry),
  sla: z.object({ clocks: z.array(slaClockView).meta({ description: 'Empty when no SLA policy covers the case (or its clocks were not planned yet).' }) }),
});
export const revertAccepted = z.object({ revertWorkflowId: z.string() });
