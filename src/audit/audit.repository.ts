import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Queryable } from '../persistence/query-rows.js';

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

export interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
  ip: string | null;
  user_agent: string | null;
}

/** Which lines of a tenant's log to read; every field narrows. */
export interface AuditFilter {
  actor?: string;
  /** Exactly this action. */
  action?: string;
  /** Actions starting with this text (taken literally). */
  actionPrefix?: string;
  target?: string;
  from?: string;
  to?: string;
  /** Only lines older than this id (keyset pagination). */
  beforeId?: string;
}

/**
 * Appends one audit line in the caller's transaction, so it commits or rolls back with the change it
 * describes. The table refuses UPDATE, DELETE and TRUNCATE (a trigger), so this is the only write.
 */
export async function insertAuditEntry(manager: Queryable, entry: AuditEntry): Promise<void> {
  await manager.query(
    `INSERT INTO audit_log (tenant_id, at, actor, action, target, details, ip, user_agent)
     VALUES ($1, clock_timestamp(), $2, $3, $4, $5, $6, $7)`,
    [entry.tenantId, entry.actor, entry.action, entry.target, JSON.stringify(entry.details ?? {}), entry.ip ?? null, entry.userAgent ?? null],
  );
}

/** The SQL of the audit log. */
@Injectable()
export class AuditRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Appends `entry` in the transaction of `manager`. */
  record(manager: Queryable, entry: AuditEntry): Promise<void> {
    return insertAuditEntry(manager, entry);
  }

  /** Up to `limit` lines of the tenant matching `filter`, newest first. */
  list(tenantId: string, filter: AuditFilter, limit: number): Promise<AuditRow[]> {
    const where = ['tenant_id = $1'];
    const params: unknown[] = [tenantId];
    const add = (sql: string, value: unknown): void => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.actor) add('actor = ?', filter.actor);
    if (filter.actionPrefix) add(`action LIKE ? ESCAPE '\\'`, `${filter.actionPrefix.replace(/[\\%_]/g, (c: string) => `\\${c}`)}%`);
    else if (filter.action) add('action = ?', filter.action);
    if (filter.target) add('target = ?', filter.target);
    if (filter.from) add('at >= ?', filter.from);
    if (filter.to) add('at < ?', filter.to);
    if (filter.beforeId) add('id < ?::bigint', filter.beforeId);
    params.push(limit);
    return this.db.query(
      `SELECT id::text AS id, at, actor, action, target, details, ip, user_agent FROM audit_log
       WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
  }
}
