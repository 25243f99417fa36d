// What the approvals feature offers the rest of Vigil; other features import from here only.
export { decisionResult, type ApprovalView, type DecisionResult } from './approval.schemas.js';
export { APPROVAL_ROUTE_DOCS } from './approvals.openapi.js';
export { type ApprovalsRepository } from './approvals.repository.js';
export { ApprovalsService } from './approvals.service.js';
