import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { auditBy, recordAudit } from '../audit/index.js';
import type { RequestOrigin } from '../common/http/request-origin.js';
import { notFound, VigilError } from '../common/errors/vigil-error.js';
import type { Role } from '../persistence/entities/api-key.entity.js';
import { queryRows } from '../persistence/query-rows.js';
import { ApiKeysService, hashKey, newKeyValue } from './api-keys.service.js';
import { type Principal, PROVIDER_TENANT_SLUG } from '../common/auth/principal.js';
import type { ApiKeyView, CreateApiKeyBody, CreatedApiKey, CreateUserBody, UserView } from './tenant.schemas.js';
import { type TenantRef, TenantsService } from './tenants.service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface KeyRow {
  id: string;
  tenant_id: string;
  name: string;
  role: Role;
  key_prefix: string;
  user_id: string | null;
  mssp_operator: boolean;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

interface UserRow {
  id: string;
  tenant_id: string;
  email: string;
  name: string;
  role: Role;
  mssp_operator: boolean;
  created_at: Date;
  removed_at: Date | null;
}

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

function keyView(r: KeyRow): ApiKeyView {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    role: r.role,
    prefix: r.key_prefix,
    userId: r.user_id,
    msspOperator: r.mssp_operator,
    createdAt: new Date(r.created_at).toISOString(),
    lastUsedAt: iso(r.last_used_at),
    revokedAt: iso(r.revoked_at),
  };
}

function userView(r: UserRow): UserView {
  return { id: r.id, tenantId: r.tenant_id, email: r.email, name: r.name, role: r.role, msspOperator: r.mssp_operator, createdAt: new Date(r.created_at).toISOString() };
}

const KEY_COLUMNS = 'id, tenant_id, name, role, key_prefix, user_id, mssp_operator, created_at, last_used_at, revoked_at';
const USER_COLUMNS = 'id, tenant_id, email, name, role, mssp_operator, created_at, removed_at';

/**
 * Users and API keys of a tenant. A tenant's admins manage their own tenant; MSSP operators (admins
 * of the provider tenant) manage every tenant. Keys are shown once, stored hashed, and revoked, never deleted.
 */
@Injectable()
export class AccessService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(TenantsService) private readonly tenants: TenantsService,
    @Inject(ApiKeysService) private readonly keys: ApiKeysService,
  ) {}

  private checkOperatorGrant(principal: Principal, tenant: TenantRef, wanted: boolean | undefined): void {
    if (!wanted) return;
    if (!principal.msspOperator) throw new VigilError('forbidden', 'only an MSSP operator may grant the MSSP operator flag');
    if (tenant.slug !== PROVIDER_TENANT_SLUG) {
      throw new VigilError('invalid_body', `only keys and users of the provider tenant '${PROVIDER_TENANT_SLUG}' can be MSSP operators`, { tenant: tenant.slug });
    }
  }

  async createKey(principal: Principal, origin: RequestOrigin, tenantIdOrSlug: string, body: CreateApiKeyBody): Promise<CreatedApiKey> {
    const tenant = await this.tenants.visibleTenant(principal, tenantIdOrSlug);
    this.checkOperatorGrant(principal, tenant, body.msspOperator);
    const key = newKeyValue();
    return this.db.transaction(async (m) => {
      if (body.userId) {
        const owner = await queryRows<{ id: string; role: Role; mssp_operator: boolean }>(
          m,
          `SELECT id, role, mssp_operator FROM users WHERE id = $1 AND tenant_id = $2 AND removed_at IS NULL`,
          [body.userId, tenant.id],
        );
        if (!owner[0]) throw notFound('user', body.userId);
        // A key acts as its user: only an operator may mint one for an operator, and an operator key needs an operator user.
        if (owner[0].mssp_operator && !principal.msspOperator) {
          throw new VigilError('forbidden', 'only an MSSP operator may create keys for an MSSP operator user', { userId: body.userId });
        }
        if (body.msspOperator && !owner[0].mssp_operator) {
          throw new VigilError('invalid_body', `user ${body.userId} is not an MSSP operator, so a key acting as them cannot be one`, { userId: body.userId });
        }
        // A key acting as a person holds that person's role, so a key never gives its user more.
        if (owner[0].role !== body.role) {
          throw new VigilError('invalid_body', `a key of user ${body.userId} holds the user's role (${owner[0].role}), not ${body.role}`, {
            userRole: owner[0].role,
            role: body.role,
          });
        }
      }
      const rows = await queryRows<KeyRow>(
        m,
        `INSERT INTO api_keys (tenant_id, name, role, key_hash, key_prefix, user_id, mssp_operator) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${KEY_COLUMNS}`,
        [tenant.id, body.name, body.role, hashKey(key), key.slice(0, 8), body.userId ?? null, body.msspOperator ?? false],
      );
      const row = rows[0]!;
      await recordAudit(
        m,
        auditBy(
          principal,
          origin,
          'api_key.created',
          `api_key:${row.id}`,
          { name: row.name, role: row.role, prefix: row.key_prefix, userId: row.user_id, msspOperator: row.mssp_operator },
          tenant.id,
        ),
      );
      return { ...keyView(row), key };
    });
  }

  async listKeys(principal: Principal, tenantIdOrSlug: string): Promise<{ items: ApiKeyView[] }> {
    const tenant = await this.tenants.visibleTenant(principal, tenantIdOrSlug);
    const rows: KeyRow[] = await this.db.query(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE tenant_id = $1 ORDER BY created_at, id`, [tenant.id]);
    return { items: rows.map(keyView) };
  }

  /** Revokes a key of the caller's tenant (any tenant for MSSP operators). Revoking a revoked key changes nothing. */
  async revokeKey(principal: Principal, origin: RequestOrigin, keyId: string): Promise<void> {
    if (!UUID.test(keyId)) throw notFound('api key', keyId);
    await this.db.transaction(async (m) => {
      // Whether the key's user is an operator comes with the key: an operator's key is one either way.
      const rows = await queryRows<KeyRow & { user_is_operator: boolean }>(
        m,
        `SELECT ${KEY_COLUMNS}, EXISTS (SELECT 1 FROM users u WHERE u.id = api_keys.user_id AND u.mssp_operator) AS user_is_operator
         FROM api_keys WHERE id = $1 AND ($2::uuid IS NULL OR tenant_id = $2::uuid) FOR UPDATE OF api_keys`,
        [keyId, principal.msspOperator ? null : principal.tenantId],
      );
      const row = rows[0];
      if (!row) throw notFound('api key', keyId);
      if (!principal.msspOperator && (row.mssp_operator || row.user_is_operator)) {
        throw new VigilError('forbidden', "only an MSSP operator may revoke an MSSP operator's key", { keyId });
      }
      if (row.revoked_at) return;
      await m.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [keyId]);
      await recordAudit(m, auditBy(principal, origin, 'api_key.revoked', `api_key:${row.id}`, { name: row.name, role: row.role, prefix: row.key_prefix }, row.tenant_id));
    });
    this.keys.invalidate();
  }

  async createUser(principal: Principal, origin: RequestOrigin, tenantIdOrSlug: string, body: CreateUserBody): Promise<UserView> {
    const tenant = await this.tenants.visibleTenant(principal, tenantIdOrSlug);
    this.checkOperatorGrant(principal, tenant, body.msspOperator);
    try {
      return await this.db.transaction(async (m) => {
        const rows = await queryRows<UserRow>(m, `INSERT INTO users (tenant_id, email, name, role, mssp_operator) VALUES ($1, $2, $3, $4, $5) RETURNING ${USER_COLUMNS}`, [
          tenant.id,
          body.email,
          body.name,
          body.role,
          body.msspOperator ?? false,
        ]);
        const row = rows[0]!;
        await recordAudit(
          m,
          auditBy(principal, origin, 'user.created', `user:${row.id}`, { email: row.email, name: row.name, role: row.role, msspOperator: row.mssp_operator }, tenant.id),
        );
        return userView(row);
      });
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new VigilError('conflict', `a user with e-mail ${body.email} already exists in this tenant`, { email: body.email });
      }
      throw error;
    }
  }

  async listUsers(principal: Principal, tenantIdOrSlug: string): Promise<{ items: UserView[] }> {
    const tenant = await this.tenants.visibleTenant(principal, tenantIdOrSlug);
    const rows: UserRow[] = await this.db.query(`SELECT ${USER_COLUMNS} FROM users WHERE tenant_id = $1 AND removed_at IS NULL ORDER BY created_at, id`, [tenant.id]);
    return { items: rows.map(userView) };
  }

  /** Removes a user and revokes their keys; the row stays so the timeline and audit log keep naming them. */
  async removeUser(principal: Principal, origin: RequestOrigin, userId: string): Promise<void> {
    if (!UUID.test(userId)) throw notFound('user', userId);
    await this.db.transaction(async (m) => {
      const rows = await queryRows<UserRow>(m, `SELECT ${USER_COLUMNS} FROM users WHERE id = $1 AND ($2::uuid IS NULL OR tenant_id = $2::uuid) FOR UPDATE`, [
        userId,
        principal.msspOperator ? null : principal.tenantId,
      ]);
      const row = rows[0];
      if (!row || row.removed_at) throw notFound('user', userId);
      if (row.mssp_operator && !principal.msspOperator) throw new VigilError('forbidden', 'only an MSSP operator may remove an MSSP operator user', { userId });
      await m.query(`UPDATE users SET removed_at = now() WHERE id = $1`, [userId]);
      const revoked = await queryRows<{ id: string }>(m, `UPDATE api_keys SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING id`, [userId]);
      await recordAudit(m, auditBy(principal, origin, 'user.removed', `user:${row.id}`, { email: row.email, revokedKeys: revoked.map((k) => k.id) }, row.tenant_id));
    });
    this.keys.invalidate();
  }
}
