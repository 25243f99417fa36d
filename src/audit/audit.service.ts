import { Inject, Injectable } from '@nestjs/common';
import { VigilError } from '../common/errors/vigil-error.js';
import type { Queryable } from '../persistence/query-rows.js';
import { decodeCursor, encodeCursor } from '../common/http/cursor.js';
import type { Principal } from '../common/auth/principal.js';
import type { RequestOrigin } from '../common/http/request-origin.js';
import type { AuditListQuery } from './audit.schemas.js';
import { type AuditEntry, type AuditFilter, AuditRepository, insertAuditEntry } from './audit.repository.js';

export type { AuditEntry } from './audit.repository.js';

export interface AuditRecordView {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
  ip: string | null;
  userAgent: string | null;
}

/**
 * Appends one audit line in the caller's transaction (see AuditRepository.record), for modules whose
 * services write the log without an AuditRepository of their own.
 */
export function recordAudit(manager: Queryable, entry: AuditEntry): Promise<void> {
  return insertAuditEntry(manager, entry);
}

/**
 * An audit entry for a change made by an API caller: actor and origin from the request, recorded in
 * the tenant the changed object belongs to (the caller's, unless an MSSP operator changed another tenant).
 */
export function auditBy(
  principal: Principal,
  origin: RequestOrigin,
  action: string,
  target: string,
  details: Record<string, unknown> = {},
  tenantId: string = principal.tenantId,
): AuditEntry {
  const home = principal.homeTenantId ?? principal.tenantId;
  const acting = home !== tenantId ? { operatorTenantId: home } : {};
  return { tenantId, actor: principal.actor, action, target, details: { ...details, ...acting }, ip: origin.ip, userAgent: origin.userAgent };
}

/** The audit log: other modules call `record(manager, entry)` inside their own transactions; the API reads it per tenant. */
@Injectable()
export class AuditService {
  constructor(@Inject(AuditRepository) private readonly audit: AuditRepository) {}

  record(manager: Queryable, entry: AuditEntry): Promise<void> {
    return this.audit.record(manager, entry);
  }

  /** Newest first, keyset-paginated on the row id (ids only grow, so pages never shift). */
  async list(tenantId: string, query: AuditListQuery): Promise<{ items: AuditRecordView[]; nextCursor: string | null }> {
    const filter: AuditFilter = { actor: query.actor, target: query.target, from: query.from, to: query.to };
    // `case.*` matches every action on cases.
    if (query.action?.endsWith('.*')) filter.actionPrefix = query.action.slice(0, -1);
    else filter.action = query.action;
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor, 'audit');
      const id = cursor.values[0];
      if (typeof id !== 'string' || !/^\d{1,19}$/.test(id)) throw new VigilError('invalid_cursor', 'the cursor is not one this endpoint issued');
      filter.beforeId = id;
    }
    const rows = await this.audit.list(tenantId, filter, query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({
        id: r.id,
        at: new Date(r.at).toISOString(),
        actor: r.actor,
        action: r.action,
        target: r.target,
        details: r.details,
        ip: r.ip,
        userAgent: r.user_agent,
      })),
      nextCursor: rows.length > query.limit && last ? encodeCursor('audit', [last.id]) : null,
    };
  }
}
