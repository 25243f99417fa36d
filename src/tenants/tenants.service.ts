import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { auditBy, recordAudit } from '../audit/index.js';
import type { RequestOrigin } from '../common/http/request-origin.js';
import { notFound, VigilError } from '../common/errors/vigil-error.js';
import { queryRows } from '../persistence/query-rows.js';
import { ApiKeysService } from './api-keys.service.js';
import { type Principal, PROVIDER_TENANT_SLUG } from '../common/auth/principal.js';
import type { CreateTenantBody, TenantView } from './tenant.schemas.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Tenant look-ups for the `X-Vigil-Tenant` header are cached this long; suspend and resume clear the cache. */
const CACHE_MS = 5_000;

interface TenantRow {
  id: string;
  slug: string;
  name: string;
  status: 'active' | 'suspended';
  created_at: Date;
}

export interface TenantRef {
  id: string;
  slug: string;
  status: 'active' | 'suspended';
}

function view(r: TenantRow): TenantView {
  return { id: r.id, slug: r.slug, name: r.name, status: r.status, createdAt: new Date(r.created_at).toISOString() };
}

/** `Acme Corp.` → `acme-corp`. */
export function slugFromName(name: string): string {
  const base = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
  return base || `tenant-${randomBytes(3).toString('hex')}`;
}

/** Tenants: created, listed, suspended and resumed by MSSP operators; resolved by id or slug for the tenant header and paths. */
@Injectable()
export class TenantsService {
  private readonly cache = new Map<string, { tenant: TenantRef | null; until: number }>();

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(ApiKeysService) private readonly keys: ApiKeysService,
  ) {}

  /** A tenant by id or slug, or null. */
  async resolve(idOrSlug: string): Promise<TenantRef | null> {
    const now = Date.now();
    const hit = this.cache.get(idOrSlug);
    if (hit && hit.until > now) return hit.tenant;
    const rows: TenantRef[] = await this.db.query(`SELECT id, slug, status FROM tenants WHERE ${UUID.test(idOrSlug) ? 'id = $1::uuid' : 'slug = $1'}`, [idOrSlug]);
    const tenant = rows[0] ?? null;
    if (this.cache.size > 1_000) this.cache.clear();
    this.cache.set(idOrSlug, { tenant, until: now + CACHE_MS });
    return tenant;
  }

  /**
   * The tenant named in a path, as seen by `principal`: MSSP operators see every tenant, anyone
   * else only their own (another tenant answers 404, like any other tenant's object).
   */
  async visibleTenant(principal: Principal, idOrSlug: string): Promise<TenantRef> {
    const tenant = await this.resolve(idOrSlug);
    if (!tenant || (!principal.msspOperator && tenant.id !== principal.tenantId)) throw notFound('tenant', idOrSlug);
    return tenant;
  }

  async list(): Promise<{ items: TenantView[] }> {
    const rows: TenantRow[] = await this.db.query(`SELECT id, slug, name, status, created_at FROM tenants ORDER BY created_at, id`);
    return { items: rows.map(view) };
  }

  async create(principal: Principal, origin: RequestOrigin, body: CreateTenantBody): Promise<TenantView> {
    const base = body.slug ?? slugFromName(body.name);
    return this.db.transaction(async (m) => {
      for (let n = 1; n <= 50; n += 1) {
        const slug = n === 1 ? base : `${base}-${n}`;
        const rows = await queryRows<TenantRow>(m, `INSERT INTO tenants (slug, name) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING RETURNING id, slug, name, status, created_at`, [
          slug,
          body.name,
        ]);
        const row = rows[0];
        if (row) {
          await recordAudit(m, auditBy(principal, origin, 'tenant.created', `tenant:${row.id}`, { slug: row.slug, name: row.name }, row.id));
          return view(row);
        }
        // An explicit slug is the caller's choice: say it is taken rather than pick another.
        if (body.slug) throw new VigilError('conflict', `tenant slug '${body.slug}' is taken`, { slug: body.slug });
      }
      throw new VigilError('conflict', `no free slug near '${base}'; give one`, { slug: base });
    });
  }

  suspend(principal: Principal, origin: RequestOrigin, idOrSlug: string): Promise<TenantView> {
    return this.setStatus(principal, origin, idOrSlug, 'suspended');
  }

  resume(principal: Principal, origin: RequestOrigin, idOrSlug: string): Promise<TenantView> {
    return this.setStatus(principal, origin, idOrSlug, 'active');
  }

  private async setStatus(principal: Principal, origin: RequestOrigin, idOrSlug: string, status: 'active' | 'suspended'): Promise<TenantView> {
    const tenant = await this.visibleTenant(principal, idOrSlug);
    if (status === 'suspended' && tenant.slug === PROVIDER_TENANT_SLUG) {
      throw new VigilError('conflict', "the provider's own tenant cannot be suspended", { tenant: tenant.slug });
    }
    const result = await this.db.transaction(async (m) => {
      const changed = await queryRows<TenantRow>(m, `UPDATE tenants SET status = $2 WHERE id = $1 AND status <> $2 RETURNING id, slug, name, status, created_at`, [
        tenant.id,
        status,
      ]);
      if (changed[0]) {
        await recordAudit(m, auditBy(principal, origin, status === 'suspended' ? 'tenant.suspended' : 'tenant.resumed', `tenant:${tenant.id}`, { slug: tenant.slug }, tenant.id));
        return changed[0];
      }
      // Already in that status: nothing changed, nothing to audit.
      const rows = await queryRows<TenantRow>(m, `SELECT id, slug, name, status, created_at FROM tenants WHERE id = $1`, [tenant.id]);
      return rows[0]!;
    });
    this.cache.clear();
    this.keys.invalidate();
    return view(result);
  }
}
