import { z } from 'zod';

const decision = z.enum(['approve', 'reject']).meta({ description: '`approve` or `reject`. One reject decides; `quorum` distinct approvals approve.' });
const comment = z.string().max(2000).optional().meta({ description: 'Why; shown in the timeline and the audit log.' });
const roleName = z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'a role name: lower case letters, digits, _ and -');

export const approvalListQuery = z.strictObject({
  status: z.enum(['pending', 'approved', 'rejected', 'expired']).optional().meta({ description: 'Only approvals in this state (`pending`: waiting for a decision).' }),
  caseId: z.uuid().optional().meta({ description: 'Only approvals of this case.' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ApprovalListQuery = z.output<typeof approvalListQuery>;

export const decisionBody = z.strictObject({ decision, comment });
export type DecisionBody = z.output<typeof decisionBody>;

export const linkBody = z.strictObject({
  approver: z
    .strictObject({
      id: z.string().min(1).max(200).meta({
        description:
          "Who the link is for: `user:<id>` of a user of the approval's tenant who is not removed (400 `invalid_body` for anything else, 404 `not_found` for an unknown user). The link decides as that user: the same voter as their API keys, so they vote once, and never on a run they requested.",
        example: 'user:3f0c1e0a-1c1b-4a53-8f0e-2b7d1c0a9e11',
      }),
      roles: z
        .array(roleName)
        .min(1)
        .max(10)
        .optional()
        .meta({ description: "Optional: the link always holds its user's role. When given it must be that role (else 400 `invalid_body`, `details.reason` `approver_roles`)." }),
    })
    .meta({ description: 'The approver the link decides as. Whoever holds the link acts as this user: send it only to them.' }),
  decision: decision.optional().meta({ description: 'Bind the link to one decision (an "Approve" link and a "Reject" link).' }),
  expiresInSeconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600)
    .default(24 * 3600)
    .meta({ description: 'Lifetime of the link (default 24 h, at most 7 days).' }),
});
export type LinkBody = z.output<typeof linkBody>;

export const linkDecisionBody = z.strictObject({
  decision: decision.optional().meta({ description: 'Required unless the link is bound to a decision (then it must match or be left out).' }),
  comment,
});
export type LinkDecisionBody = z.output<typeof linkDecisionBody>;

const vote = z.object({
  actor: z.string(),
  decision,
  comment: z.string().nullable(),
  level: z.number().int(),
  via: z.enum(['api', 'link', 'slack']),
  at: z.iso.datetime(),
});

export const approvalView = z.object({
  id: z.uuid(),
  caseId: z.uuid(),
  stepId: z.string(),
  question: z.string(),
  action: z.string().nullable().meta({ description: 'The exact action the approval guards, e.g. `crowdstrike.contain_host`.' }),
  target: z.string().nullable().meta({ description: 'What it acts on, e.g. `host WS-0142`.' }),
  params: z.unknown().meta({ description: 'The action parameters, rendered with what the run knew when it asked.' }),
  evidence: z.record(z.string(), z.unknown()).meta({ description: "The approval's context: label → value, gathered when it was asked." }),
  status: z.enum(['pending', 'approved', 'rejected', 'expired']),
  outcome: z.enum(['approve', 'reject']).nullable().meta({ description: 'The decision, or for an expired approval the default outcome the run took.' }),
  outcomeReason: z.string().nullable(),
  level: z.number().int().meta({ description: '1-based level now open.' }),
  levels: z.array(z.object({ roles: z.array(z.string()), timeout: z.string(), notify: z.string().optional() })),
  quorum: z.number().int(),
  approvals: z.number().int().meta({ description: 'Approve votes so far.' }),
  votes: z.array(vote),
  requestedBy: z.string(),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime().meta({ description: 'When the open level times out.' }),
  decidedAt: z.iso.datetime().nullable(),
});
export type ApprovalView = z.output<typeof approvalView>;

export const approvalList = z.object({ items: z.array(approvalView) });

export const decisionResult = z.object({
  approvalId: z.uuid(),
  outcome: z.enum(['counted', 'approved', 'rejected']).meta({ description: '`counted`: your vote is in, the quorum is not reached yet.' }),
  status: z.enum(['pending', 'approved', 'rejected', 'expired']),
  approvals: z.number().int(),
  quorum: z.number().int(),
  message: z.string(),
});
export type DecisionResult = z.output<typeof decisionResult>;

export const linkResult = z.object({
  url: z.url(),
  token: z.string(),
  approver: z
    .object({ id: z.string(), roles: z.array(z.string()) })
    .meta({ description: "The user the link decides as, with the role they hold (the user's, whatever the body said)." }),
  decision: z.enum(['approve', 'reject']).nullable(),
  expiresAt: z.iso.datetime(),
});
export type LinkResult = z.output<typeof linkResult>;

export const linkView = z.object({
  approval: approvalView,
  link: z.object({
    approver: z.object({ id: z.string(), roles: z.array(z.string()) }),
    decision: z.enum(['approve', 'reject']).nullable(),
    expiresAt: z.iso.datetime(),
    used: z.boolean(),
  }),
});
export type LinkView = z.output<typeof linkView>;
