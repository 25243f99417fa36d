import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

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
}
