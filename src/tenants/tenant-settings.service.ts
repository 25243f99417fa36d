import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Queryable } from '../persistence/query-rows.js';

const CACHE_MS = 5_000;

/** Per-tenant settings (correlation, HMAC, bindings), cached briefly: ingest reads them on every delivery. */
@Injectable()
export class TenantSettingsService {
  private readonly cache = new Map<string, { value: Record<string, unknown>; until: number }>();

  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async settings(tenantId: string): Promise<Record<string, unknown>> {
    const now = Date.now();
    const hit = this.cache.get(tenantId);
    if (hit && hit.until > now) return hit.value;
    const rows: Array<{ settings: Record<string, unknown> }> = await this.db.query('SELECT settings FROM tenants WHERE id = $1', [tenantId]);
    const value = rows[0]?.settings ?? {};
    this.cache.set(tenantId, { value, until: now + CACHE_MS });
    return value;
  }

  async update(tenantId: string, patch: Record<string, unknown>): Promise<void> {
    await this.db.query(`UPDATE tenants SET settings = settings || $2::jsonb WHERE id = $1`, [tenantId, JSON.stringify(patch)]);
    this.cache.delete(tenantId);
  }

  /** A tenant's settings read in the caller's transaction, its row locked until commit (for read-modify-write); undefined when no such tenant. */
  async lockedSettings(manager: Queryable, tenantId: string): Promise<Record<string, unknown> | undefined> {
    const rows = (await manager.query('SELECT settings FROM tenants WHERE id = $1 FOR UPDATE', [tenantId])) as Array<{ settings: Record<string, unknown> }>;
    return rows[0] ? (rows[0].settings ?? {}) : undefined;
  }

  /** Replaces one top-level key of a tenant's settings in the caller's transaction; call `forget` once it committed. */
  async setKey(manager: Queryable, tenantId: string, key: string, value: unknown): Promise<void> {
    await manager.query(`UPDATE tenants SET settings = jsonb_set(settings, ARRAY[$2::text], $3::jsonb, true) WHERE id = $1`, [tenantId, key, JSON.stringify(value)]);
  }

  /** Drops this process's cached copy; other processes see a change within the cache time (5 s). */
  forget(tenantId: string): void {
    this.cache.delete(tenantId);
  }
}
