import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Role } from '../persistence/entities/api-key.entity.js';
import { TenantEntity } from '../persistence/entities/tenant.entity.js';
import { type Principal, PROVIDER_TENANT_SLUG } from '../common/auth/principal.js';

const KEY_PREFIX = 'vgl_';
/** Verified keys are cached briefly so ingest does not pay a query per request; revocation takes effect within this time. */
const CACHE_MS = 5_000;
/** `last_used_at` is written at most this often per key. */
const TOUCH_MS = 60_000;

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function newKeyValue(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

interface KeyRow {
  id: string;
  tenant_id: string;
  role: Role;
  slug: string;
  user_id: string | null;
  mssp_operator: boolean;
}

interface CachedPrincipal {
  principal: Principal | null;
  until: number;
}

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger('ApiKeysService');
  private readonly cache = new Map<string, CachedPrincipal>();
  private readonly touchedAt = new Map<string, number>();
  private generation = 0;

  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Resolves a presented key to its principal, or null when unknown, revoked, its user removed or its tenant suspended. */
  async authenticate(key: string): Promise<Principal | null> {
    const hash = hashKey(key);
    const now = Date.now();
    const hit = this.cache.get(hash);
    if (hit && hit.until > now) return hit.principal;
    const generation = this.generation;
    const rows: KeyRow[] = await this.db.query(
      // Operator power is the key's own flag (granted only by an operator); a user's key holds it only while its user does too.
      `SELECT k.id, k.tenant_id, k.role, t.slug, k.user_id, (k.mssp_operator AND (k.user_id IS NULL OR COALESCE(u.mssp_operator, false))) AS mssp_operator
       FROM api_keys k JOIN tenants t ON t.id = k.tenant_id LEFT JOIN users u ON u.id = k.user_id
       WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND t.status = 'active' AND (k.user_id IS NULL OR u.removed_at IS NULL)`,
      [hash],
    );
    const row = rows[0];
    const principal: Principal | null = row
      ? {
          tenantId: row.tenant_id,
          tenantSlug: row.slug,
          role: row.role,
          keyId: row.id,
          actor: row.user_id ? `user:${row.user_id}` : `api-key:${row.id}`,
          userId: row.user_id,
          // The flag only counts on the provider's own tenant.
          msspOperator: row.mssp_operator && row.slug === PROVIDER_TENANT_SLUG,
          homeTenantId: row.tenant_id,
        }
      : null;
    if (this.cache.size > 10_000) this.cache.clear();
    // A revocation or suspension that happened while we queried must not be undone by caching the old answer.
    if (generation === this.generation) this.cache.set(hash, { principal, until: now + CACHE_MS });
    if (principal && (this.touchedAt.get(principal.keyId) ?? 0) + TOUCH_MS < now) {
      this.touchedAt.set(principal.keyId, now);
      this.db.query('UPDATE api_keys SET last_used_at = now() WHERE id = $1', [principal.keyId]).catch((e: unknown) => {
        this.logger.warn(`could not record key use: ${String(e)}`);
      });
    }
    return principal;
  }

  /**
   * Forgets every cached key answer: called after a key is revoked, a user removed or a tenant
   * suspended or resumed, so the change takes effect at once in this process (other processes
   * within the cache time).
   */
  invalidate(): void {
    this.generation += 1;
    this.cache.clear();
  }

  /** Ensures tenant `default` exists and holds an admin key with exactly this value (idempotent); it is the provider's first MSSP operator key. */
  async ensureAdminKey(key: string): Promise<{ tenantId: string; created: boolean }> {
    const tenantId = await this.ensureDefaultTenant();
    const inserted: unknown[] = await this.db.query(
      `INSERT INTO api_keys (tenant_id, name, role, key_hash, key_prefix, mssp_operator) VALUES ($1, 'bootstrap admin', 'admin', $2, $3, true)
       ON CONFLICT (key_hash) DO NOTHING RETURNING id`,
      [tenantId, hashKey(key), key.slice(0, 8)],
    );
    return { tenantId, created: inserted.length > 0 };
  }

  /** Creates an admin key for tenant `default` unless it already has an active one; returns the new key, shown once. */
  async createFirstAdminKey(): Promise<string | null> {
    const tenantId = await this.ensureDefaultTenant();
    const active: Array<{ n: string }> = await this.db.query(`SELECT count(*)::text AS n FROM api_keys WHERE tenant_id = $1 AND role = 'admin' AND revoked_at IS NULL`, [tenantId]);
    if (Number(active[0]?.n ?? 0) > 0) return null;
    const key = newKeyValue();
    await this.ensureAdminKey(key);
    return key;
  }

  async ensureDefaultTenant(): Promise<string> {
    await this.db.createQueryBuilder().insert().into(TenantEntity).values({ slug: PROVIDER_TENANT_SLUG, name: 'Default' }).orIgnore().execute();
    const tenant = await this.db.getRepository(TenantEntity).findOneByOrFail({ slug: PROVIDER_TENANT_SLUG });
    return tenant.id;
  }
}
