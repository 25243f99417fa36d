import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PROVIDER_TENANT_SLUG } from '../common/auth/principal.js';
import { type Queryable, queryRows } from '../persistence/query-rows.js';

/** The four SLA tables; column names below come from code, never from a request. */
export type SlaTable = 'sla_calendars' | 'sla_policies' | 'oncall_rotas' | 'escalation_policies';

/** A row of one of them, with `scope` worked out: `mssp` for rows of the provider's tenant. */
export interface ScopedRow {
  id: string;
  tenant_id: string;
  scope: 'tenant' | 'mssp';
  name: string;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  [column: string]: unknown;
}

const PROVIDER_ID = `(SELECT id FROM tenants WHERE slug = '${PROVIDER_TENANT_SLUG}')`;
const SCOPE = `CASE WHEN t.tenant_id = ${PROVIDER_ID} THEN 'mssp' ELSE 'tenant' END AS scope`;

/**
 * SQL of the SLA feature. Every read names the caller's tenant; reads may also see the MSSP-wide
 * rows of the provider's tenant, writes only ever touch the caller's tenant.
 */
@Injectable()
export class SlaRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  transaction<T>(fn: (m: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction((m) => fn(m));
  }

  get reader(): Queryable {
    return this.db;
  }

  async providerTenantId(q: Queryable): Promise<string | null> {
    const rows = await queryRows<{ id: string }>(q, `SELECT id FROM tenants WHERE slug = $1`, [PROVIDER_TENANT_SLUG]);
    return rows[0]?.id ?? null;
  }

  /** The tenant's rows and, unless `ownOnly`, the MSSP-wide ones; own rows first, by name. */
  list(q: Queryable, table: SlaTable, tenantId: string, options: { ownOnly?: boolean; orderBy?: string } = {}): Promise<ScopedRow[]> {
    const where = options.ownOnly ? `t.tenant_id = $1` : `(t.tenant_id = $1 OR t.tenant_id = ${PROVIDER_ID})`;
    return queryRows<ScopedRow>(q, `SELECT t.*, ${SCOPE} FROM ${table} t WHERE ${where} ORDER BY (t.tenant_id = $1) DESC, ${options.orderBy ?? 't.name'}, t.id`, [tenantId]);
  }

  /** One row the tenant may see (its own or MSSP-wide); `lock` takes a row lock for a write that depends on it. */
  async get(q: Queryable, table: SlaTable, tenantId: string, id: string, lock?: 'share' | 'update'): Promise<ScopedRow | null> {
    const rows = await queryRows<ScopedRow>(
      q,
      `SELECT t.*, ${SCOPE} FROM ${table} t WHERE t.id = $2 AND (t.tenant_id = $1 OR t.tenant_id = ${PROVIDER_ID})${lock ? ` FOR ${lock.toUpperCase()}` : ''}`,
      [tenantId, id],
    );
    return rows[0] ?? null;
  }

  async insert(q: Queryable, table: SlaTable, tenantId: string, actor: string, values: Record<string, unknown>): Promise<ScopedRow> {
    const cols = Object.keys(values);
    const rows = await queryRows<ScopedRow>(
      q,
      `INSERT INTO ${table} AS t (tenant_id, created_by, ${cols.join(', ')}) VALUES ($1, $2, ${cols.map((_, i) => `$${i + 3}`).join(', ')}) RETURNING t.*, ${SCOPE}`,
      [tenantId, actor, ...cols.map((c) => values[c])],
    );
    return rows[0]!;
  }

  async update(q: Queryable, table: SlaTable, tenantId: string, id: string, values: Record<string, unknown>): Promise<ScopedRow | null> {
    const cols = Object.keys(values);
    const rows = await queryRows<ScopedRow>(
      q,
      `UPDATE ${table} AS t SET ${cols.map((c, i) => `${c} = $${i + 3}`).join(', ')}, updated_at = now() WHERE t.tenant_id = $1 AND t.id = $2 RETURNING t.*, ${SCOPE}`,
      [tenantId, id, ...cols.map((c) => values[c])],
    );
    return rows[0] ?? null;
  }

  async remove(q: Queryable, table: SlaTable, tenantId: string, id: string): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(q, `DELETE FROM ${table} WHERE tenant_id = $1 AND id = $2 RETURNING id`, [tenantId, id]);
    return rows.length > 0;
  }

  /** Which of `ids` are rows of `table` in one of `tenantIds`, locked against deletion until the transaction ends. */
  async existing(q: Queryable, table: SlaTable, tenantIds: string[], ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await queryRows<{ id: string }>(q, `SELECT id FROM ${table} WHERE tenant_id = ANY($1::uuid[]) AND id = ANY($2::uuid[]) FOR SHARE`, [tenantIds, ids]);
    return new Set(rows.map((r) => r.id));
  }

  /** Which of `ids` are users (not removed) of one of `tenantIds`. */
  async activeUsers(q: Queryable, tenantIds: string[], ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await queryRows<{ id: string }>(q, `SELECT id FROM users WHERE tenant_id = ANY($1::uuid[]) AND id = ANY($2::uuid[]) AND removed_at IS NULL`, [tenantIds, ids]);
    return new Set(rows.map((r) => r.id));
  }

  async users(q: Queryable, ids: string[]): Promise<Map<string, { id: string; email: string; name: string }>> {
    if (ids.length === 0) return new Map();
    const rows = await queryRows<{ id: string; email: string; name: string }>(q, `SELECT id, email, name FROM users WHERE id = ANY($1::uuid[])`, [ids]);
    return new Map(rows.map((r) => [r.id, r]));
  }

  /**
   * Queues a re-plan of every open case's clocks (an `sla_clocks` outbox row each, in the write's
   * transaction, delivered by the relay in batches): of the tenant, or of every tenant when the
   * change is to the provider's MSSP-wide rows. Returns how many cases.
   */
  async replanOpenCases(q: Queryable, tenantId: string, reason: string): Promise<number> {
    const rows = await queryRows<{ n: number }>(
      q,
      `SELECT vigil_sla_replan(CASE WHEN $1::uuid = ${PROVIDER_ID} THEN ARRAY(SELECT id FROM tenants) ELSE ARRAY[$1::uuid] END, $2) AS n`,
      [tenantId, reason],
    );
    return rows[0]?.n ?? 0;
  }

  /** What still names a row (in any tenant): a calendar or escalation policy by SLA policies, a rota by escalation policies. */
  async referrers(q: Queryable, table: SlaTable, id: string): Promise<string[]> {
    let rows: Array<{ id: string }> = [];
    if (table === 'sla_calendars') rows = await queryRows(q, `SELECT id FROM sla_policies WHERE calendar_id = $1`, [id]);
    if (table === 'escalation_policies') rows = await queryRows(q, `SELECT id FROM sla_policies WHERE escalation_policy_id = $1`, [id]);
    if (table === 'oncall_rotas') rows = await queryRows(q, `SELECT id FROM escalation_policies WHERE levels @> $1::jsonb`, [JSON.stringify([{ rotas: [id] }])]);
    return rows.map((r) => r.id);
  }
}
