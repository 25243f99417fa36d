/**
 * A playbook test: a YAML file beside its playbook (`<name>.test.yaml`) that runs the playbook on
 * the real Temporal server against one alert, with recorded integration responses instead of vendor
 * calls and scripted approval answers, and checks what the run did. Documented in playbooks/README.md.
 */
import { z } from 'zod';
import { ALERT_SOURCES } from '../../common/canonical-alert.js';
import { DURATION_PATTERN } from '../../../workflows/language/duration.js';
import { ACTION_KEY_PATTERN, CASE_STATUS_NAMES, STEP_ID_PATTERN } from '../playbook.schema.js';

const stepId = z.string().regex(STEP_ID_PATTERN, { error: 'a step id is lower snake_case' });
const actionKey = z.string().regex(ACTION_KEY_PATTERN, { error: 'an action key is vendor.action' });

/** One recorded answer of an integration action. */
export const recordedResponseSchema = z
  .strictObject({
    /** Only calls whose rendered parameters contain these (deep, partial) get this answer. */
    params: z.record(z.string(), z.unknown()).optional(),
    /** What the action returns; checked against the action's output schema. */
    output: z.unknown().optional(),
    /** The action fails instead: the code an adapter would report, and whether Temporal may retry. */
    error: z
      .strictObject({
        code: z.string().min(1),
        retryable: z.boolean().default(false),
        message: z.string().optional(),
      })
      .optional(),
    /** Answer at most this many calls, then let the next matching answer take over (e.g. fail once, then succeed). */
    times: z.number().int().min(1).optional(),
  })
  .refine((r) => (r.output !== undefined) !== (r.error !== undefined), { error: 'a response has either `output` or `error`' });
export type RecordedResponse = z.output<typeof recordedResponseSchema>;

export const approvalAnswerSchema = z.union([
  z.enum(['approve', 'reject']),
  z.strictObject({
    decision: z.enum(['approve', 'reject']),
    /** Who decides (default `user:playbook-test`); a run refuses the vote of whoever started it. */
    actor: z.string().min(1).default('user:playbook-test'),
    /** The roles the actor holds (default: the roles of the approval's first level). */
    roles: z.array(z.string().min(1)).min(1).optional(),
    comment: z.string().optional(),
  }),
]);
export type ApprovalAnswer = z.output<typeof approvalAnswerSchema>;

const listExpectation = <T extends z.ZodType>(item: T) =>
  z.union([
    /** Exactly these, in this order. */
    z.array(item),
    z.strictObject({
      /** At least these (any order). */
      contains: z.array(item).optional(),
      /** None of these. */
      excludes: z.array(z.string()).optional(),
    }),
  ]);

export const expectedActionSchema = z.union([
  actionKey,
  z.strictObject({
    action: actionKey,
    /** Compared with the rendered parameters: every key given must match (deep, partial). */
    params: z.record(z.string(), z.unknown()).optional(),
  }),
]);
export type ExpectedAction = z.output<typeof expectedActionSchema>;

export const playbookTestSchema = z.strictObject({
  /** Shown in reports; defaults to the file name. */
  name: z.string().min(1).optional(),
  /** A playbook file (relative to this file) or the id of a playbook in this file's folder. */
  playbook: z.string().min(1),
  /** The alert's source key: how the alert is normalised and what triggers see. */
  source: z.enum(ALERT_SOURCES),
  /** A payload file relative to this file (a vendor fixture), or the payload inline (generic or OCSF). */
  alert: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
  /** Which alert of a batch payload (default 0). */
  alertIndex: z.number().int().min(0).default(0),
  /** Recorded responses by action key; a call without a matching response fails the test. */
  responses: z.record(actionKey, z.union([recordedResponseSchema, z.array(recordedResponseSchema).min(1)])).default({}),
  /** Answers by approval step id, given when the approval opens. */
  approvals: z.record(stepId, approvalAnswerSchema).default({}),
  expect: z.strictObject({
    /** Step ids the run took (completed or failed; skipped steps are not taken), in order. */
    steps: listExpectation(stepId).optional(),
    /** Actions called, in call order, with their rendered parameters. */
    actions: listExpectation(expectedActionSchema).optional(),
    /** The case status when the run has finished. */
    status: z.enum(CASE_STATUS_NAMES).optional(),
    /** `completed` or `failed`. */
    runStatus: z.enum(['completed', 'failed']).optional(),
    resolution: z.enum(['true_positive', 'benign_positive', 'false_positive']).optional(),
  }),
  /** How long the run may take (default 30s). */
  timeout: z.string().regex(DURATION_PATTERN).default('30s'),
});
export type PlaybookTest = z.output<typeof playbookTestSchema>;
