import { z } from 'zod';
import type { RouteDoc } from '../common/http/route-doc.js';
import { ADMIN_ROLES, READ_ROLES } from '../common/auth/principal.js';
import { approvalList, approvalListQuery, approvalView, decisionBody, decisionResult, linkBody, linkDecisionBody, linkResult, linkView } from './approval.schemas.js';
import { APPROVER_ROLES } from './approvals.controller.js';

const idParams = z.object({ id: z.uuid().meta({ description: 'Approval id.' }) });
const tokenParams = z.object({ token: z.string().meta({ description: 'The token of a signed approval link.' }) });

const exampleApproval = {
  id: '6f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b',
  caseId: '0b5c9a4e-6a0e-4c55-9a7e-2f0d7d1d3b11',
  stepId: 'ask',
  question: 'Block 203.0.113.9 seen on ws-0142? AbuseIPDB score 97',
  action: 'panos.block_ip',
  target: 'IP 203.0.113.9',
  params: { ip: '203.0.113.9' },
  evidence: { score: 97, host: 'ws-0142' },
  status: 'pending',
  outcome: null,
  outcomeReason: null,
  level: 1,
  levels: [{ roles: ['analyst'], timeout: '15m' }],
  quorum: 1,
  approvals: 0,
  votes: [],
  requestedBy: 'playbook',
  createdAt: '2026-03-02T10:15:00.000Z',
  expiresAt: '2026-03-02T10:30:00.000Z',
  decidedAt: null,
};

export const APPROVAL_ROUTE_DOCS: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/v1/approvals',
    summary: 'Approvals of the tenant, newest first',
    description:
      'Each with its question, the exact action and target it guards, the rendered parameters, the evidence gathered so far, the open level, the votes so far and when the level expires.',
    tags: ['approvals'],
    auth: READ_ROLES,
    tenantScoped: true,
    query: approvalListQuery,
    responses: { 200: { description: 'The approvals.', schema: approvalList, example: { items: [exampleApproval] } } },
    errors: ['invalid_query'],
  },
  {
    method: 'get',
    path: '/api/v1/approvals/{id}',
    summary: 'One approval',
    tags: ['approvals'],
    auth: READ_ROLES,
    tenantScoped: true,
    params: idParams,
    responses: { 200: { description: 'The approval.', schema: approvalView, example: exampleApproval } },
  },
  {
    method: 'post',
    path: '/api/v1/approvals/{id}/decision',
    summary: 'Approve or reject',
    description:
      "Handed to the waiting run, which decides: the caller must hold a role of the open level, must not be a requester of the run (who started it, or posted an alert it heard: the alert's API key and, when the key belongs to a user, every key and link of that user), and votes once. A key that belongs to a user votes as that user, so one user counts once whichever key or link they use. One reject decides; `quorum` distinct approvals approve. Refusals: 403 `forbidden` (`details.reason`: `forbidden_role`, `self_approval`), 409 `conflict` (`already_decided`, `already_voted`, `too_late`).",
    tags: ['approvals'],
    auth: APPROVER_ROLES,
    tenantScoped: true,
    params: idParams,
    body: { schema: decisionBody, example: { decision: 'approve', comment: 'C2 confirmed by two feeds' } },
    responses: {
      200: {
        description: 'What happened.',
        schema: decisionResult,
        example: { approvalId: exampleApproval.id, outcome: 'approved', status: 'approved', approvals: 1, quorum: 1, message: 'approved (1 of 1): the run goes on' },
      },
    },
    errors: ['invalid_body', 'invalid_json', 'conflict', 'unavailable'],
  },
  {
    method: 'post',
    path: '/api/v1/approvals/{id}/links',
    summary: 'A signed, expiring, one-time link that decides as a named approver',
    description:
      "For approvers without an API key at hand (email, chat). The approver is a user of the approval's tenant (`user:<id>`, not removed); the link decides as that user with their role, counts as the same voter as their API keys, and stops working when the user is removed (403 `forbidden`, `approver_unknown`). Whoever holds the link acts as that user, so only admins mint links. The link is signed (HMAC-SHA256, `VIGIL_LINK_SIGNING_KEY`) and works once.",
    tags: ['approvals'],
    auth: ADMIN_ROLES,
    tenantScoped: true,
    params: idParams,
    body: { schema: linkBody, example: { approver: { id: 'user:3f0c1e0a-1c1b-4a53-8f0e-2b7d1c0a9e11' }, decision: 'approve', expiresInSeconds: 3600 } },
    responses: {
      201: {
        description: 'The link.',
        schema: linkResult,
        example: {
          url: 'https://vigil.example.com/api/v1/approvals/links/eyJ2IjoxfQ.c2ln',
          token: 'eyJ2IjoxfQ.c2ln',
          approver: { id: 'user:3f0c1e0a-1c1b-4a53-8f0e-2b7d1c0a9e11', roles: ['analyst'] },
          decision: 'approve',
          expiresAt: '2026-03-02T11:15:00.000Z',
        },
      },
    },
    errors: ['invalid_body', 'invalid_json', 'conflict', 'not_found'],
  },
  {
    method: 'get',
    path: '/api/v1/approvals/links/{token}',
    summary: 'What a signed link decides on',
    tags: ['approvals'],
    auth: 'public',
    params: tokenParams,
    responses: { 200: { description: 'The approval and the link.', schema: linkView } },
    errors: ['invalid_signature', 'link_expired', 'not_found'],
  },
  {
    method: 'post',
    path: '/api/v1/approvals/links/{token}',
    summary: 'Decide through a signed link',
    description:
      'Decides as the user the link names, once, with the role they hold now. A used link answers 409 `link_used`, an expired one 410 `link_expired`, a tampered one 401 `invalid_signature`, one whose user was removed 403 `forbidden` (`approver_unknown`).',
    tags: ['approvals'],
    auth: 'public',
    params: tokenParams,
    body: { schema: linkDecisionBody, example: { decision: 'approve' }, required: false },
    responses: { 200: { description: 'What happened.', schema: decisionResult } },
    errors: ['invalid_body', 'invalid_json', 'invalid_signature', 'link_expired', 'link_used', 'conflict', 'forbidden', 'not_found', 'unavailable'],
  },
];
