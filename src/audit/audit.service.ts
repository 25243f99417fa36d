import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { VigilError } from '../common/errors/vigil-error.js';
import type { Queryable } from '../persistence/query-rows.js';
import { decodeCursor, encodeCursor } from '../openapi/cursor.js';
import type { Principal } from '../tenants/principal.js';
import type { RequestOrigin } from './request-origin.js';
import type { AuditListQuery } from './audit.schemas.js';

/** One audit line. `actor` is `api-key:<id>`, `user:<id>`, `playbook` or `system`; `target` names the object (`case:<id>`). */
export interface AuditEntry {
  tenantId: string;
  actor: string;
  /** `<object>.<verb in the past>`: `case.updated`, `api_key.revoked`, `approval.decided`. */
  action: string;
  target: string;
  details?: Record<string, unknown>;
  ip?: string | null;
  userAgent?: string | null;
}

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
 * Appends one audit line in the caller's transaction, so it commits or rolls back with the change it
 * describes. The table refuses UPDATE, DELETE and TRUNCATE (a trigger), so this is the only write.
 */
export async function recordAudit(manager: Queryable, entry: AuditEntry): Promise<void> {
  await manager.query(
    `INSERT INTO audit_log (tenant_id, at, actor, action, target, details, ip, user_agent)
     VALUES ($1, clock_timestamp(), $2, $3, $4, $5, $6, $7)`,
    [entry.tenantId, entry.actor, entry.action, entry.target, JSON.stringify(entry.details ?? {}), entry.ip ?? null, entry.userAgent ?? null],
  );
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

interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
  ip: string | null;
  user_agent: string | null;
}

/** The audit log: other modules call `record(manager, entry)` inside their own transactions; the API reads it per tenant. */
@Injectable()
export class AuditService {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  record(manager: Queryable, entry: AuditEntry): Promise<void> {
    return recordAudit(manager, entry);
  }

  /** Newest first, keyset-paginated on the row id (ids only grow, so pages never shift). */
  async list(tenantId: string, query: AuditListQuery): Promise<{ items: AuditRecordView[]; nextCursor: string | null }> {
    const where = ['tenant_id = $1'];
    const params: unknown[] = [tenantId];
    const add = (sql: string, value: unknown): void => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.actor) add('actor = ?', query.actor);
    if (query.action) {
      // `case.*` matches every action on cases.
      if (query.action.endsWith('.*')) add(`action LIKE ? ESCAPE '\\'`, `${query.action.slice(0, -1).replace(/[\\%_]/g, (c: string) => `\\${c}`)}%`);
      else add('action = ?', query.action);
    }
    if (query.target) add('target = ?', query.target);
    if (query.from) add('at >= ?', query.from);
    if (query.to) add('at < ?', query.to);
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor, 'audit');
      const id = cursor.values[0];
      if (typeof id !== 'string' || !/^\d{1,19}$/.test(id)) throw new VigilError('invalid_cursor', 'the cursor is not one this endpoint issued');
      add('id < ?::bigint', id);
    }
    params.push(query.limit + 1);
    const rows: AuditRow[] = await this.db.query(
      `SELECT id::text AS id, at, actor, action, target, details, ip, user_agent FROM audit_log
       WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
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
