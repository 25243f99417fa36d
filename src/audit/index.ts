// What the audit feature offers the rest of Vigil; other features import from here only.
export { AUDIT_ROUTE_DOCS } from './audit.openapi.js';
export { AuditRepository } from './audit.repository.js';
export { auditBy, recordAudit, type AuditEntry } from './audit.service.js';
