import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { simulatorConnections } from '../../integrations/simulator/connections.js';
import { findAction } from '../../integrations/index.js';
import { auditBy, recordAudit } from '../audit/index.js';
import type { RequestOrigin } from '../common/http/request-origin.js';
import { notFound, VigilError } from '../common/errors/vigil-error.js';
import { ConnectionResolver } from './connection-resolver.js';
import { queryRows } from '../persistence/query-rows.js';
import type { Principal } from '../common/auth/principal.js';
import type { ConnectionView, CreateConnectionBody, RotateResult, UpdateConnectionBody } from './connection.schemas.js';
import { assertBaseUrlAllowed, destinationOf } from './base-url-guard.js';
import { connectionAssociatedData, SecretsCipher } from './secrets-cipher.js';
import { requiredSecretNames } from './vendor-profiles.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A row of `integration_connections` as read with raw SQL. */
export interface ConnectionRow {
  id: string;
  tenant_id: string;
  vendor: string;
  name: string;
  base_url: string;
  settings: Record<string, unknown>;
  enabled_actions: string[] | null;
  secret_names: string[];
  secrets_ciphertext: Buffer;
  secrets_iv: Buffer;
  secrets_auth_tag: Buffer;
  secrets_key_id: string;
  created_at: Date;
  updated_at: Date;
}

export const CONNECTION_COLUMNS =
  'id, tenant_id, vendor, name, base_url, settings, enabled_actions, secret_names, secrets_ciphertext, secrets_iv, secrets_auth_tag, secrets_key_id, created_at, updated_at';

function toView(row: ConnectionRow): ConnectionView {
  const set = [...row.secret_names].sort();
  return {
    id: row.id,
    vendor: row.vendor,
    name: row.name,
    baseUrl: row.base_url,
    settings: row.settings,
    enabledActions: row.enabled_actions,
    secrets: { set, missing: requiredSecretNames(row.vendor).filter((n) => !set.includes(n)), keyId: row.secrets_key_id },
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

function checkEnabledActions(vendor: string, keys: readonly string[] | null | undefined): void {
  if (!keys) return;
  const issues = keys
    .map((key, i) => {
      const action = findAction(key);
      if (!action) return { path: `enabledActions.${i}`, message: `unknown action ${key}` };
      if (action.vendor !== vendor) return { path: `enabledActions.${i}`, message: `${key} is not an action of ${vendor}` };
      return undefined;
    })
    .filter((x) => x !== undefined);
  if (issues.length > 0) throw new VigilError('invalid_body', 'the body does not match the schema', { issues });
}

/**
 * Stored secrets never follow a connection to a new host or port on an author's word alone: the
 * author enters every secret again (an admin may move a connection as it is).
 */
function checkSecretsFollowTheMove(principal: Principal, current: ConnectionRow, baseUrl: string, secrets: Readonly<Record<string, string | null>> | undefined): void {
  if (principal.role === 'admin' || destinationOf(baseUrl) === destinationOf(current.base_url)) return;
  const missing = current.secret_names.filter((name) => typeof secrets?.[name] !== 'string');
  if (missing.length > 0) {
    throw new VigilError('forbidden', `moving the connection to ${destinationOf(baseUrl)} needs its secrets entered again (or an admin): ${missing.join(', ')}`, { missing });
  }
}

/** Decrypts a row's secrets (inside activities and when secrets are merged or rotated; never for a response). */
export function decryptRow(cipher: SecretsCipher, row: ConnectionRow): Record<string, string> {
  return cipher.decrypt(
    { ciphertext: row.secrets_ciphertext, iv: row.secrets_iv, authTag: row.secrets_auth_tag, keyId: row.secrets_key_id },
    connectionAssociatedData(row.tenant_id, row.id),
  );
}

/**
 * A tenant's integration connections. Secrets are write-only: they are encrypted before they reach
 * the database and no response or audit line carries them; views list the names that are set.
 */
@Injectable()
export class ConnectionsService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(SecretsCipher) private readonly cipher: SecretsCipher,
    @Inject(ConnectionResolver) private readonly resolver: ConnectionResolver,
  ) {}

  async list(tenantId: string): Promise<{ items: ConnectionView[] }> {
    const rows = await queryRows<ConnectionRow>(this.db, `SELECT ${CONNECTION_COLUMNS} FROM integration_connections WHERE tenant_id = $1 ORDER BY vendor`, [tenantId]);
    return { items: rows.map(toView) };
  }

  async get(tenantId: string, id: string): Promise<ConnectionView> {
    return toView(await this.row(this.db.manager, tenantId, id, false));
  }

  /** Vendors the tenant has a connection of its own for. */
  async connectedVendors(tenantId: string): Promise<Set<string>> {
    const rows = await queryRows<{ vendor: string }>(this.db, `SELECT vendor FROM integration_connections WHERE tenant_id = $1`, [tenantId]);
    return new Set(rows.map((r) => r.vendor));
  }

  async create(principal: Principal, origin: RequestOrigin, body: CreateConnectionBody): Promise<ConnectionView> {
    checkEnabledActions(body.vendor, body.enabledActions);
    await assertBaseUrlAllowed(body.baseUrl, body.settings ?? {});
    const tenantId = principal.tenantId;
    const id = randomUUID();
    const sealed = this.cipher.encrypt(body.secrets, connectionAssociatedData(tenantId, id));
    const view = await this.db.transaction(async (m) => {
      const rows = await queryRows<ConnectionRow>(
        m,
        `INSERT INTO integration_connections (id, tenant_id, vendor, name, base_url, settings, enabled_actions, secret_names, secrets_ciphertext, secrets_iv, secrets_auth_tag, secrets_key_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (tenant_id, vendor) DO NOTHING RETURNING ${CONNECTION_COLUMNS}`,
        [
          id,
          tenantId,
          body.vendor,
          body.name ?? body.vendor,
          body.baseUrl,
          JSON.stringify(body.settings ?? {}),
          body.enabledActions ?? null,
          Object.keys(body.secrets).sort(),
          sealed.ciphertext,
          sealed.iv,
          sealed.authTag,
          sealed.keyId,
        ],
      );
      const row = rows[0];
      if (!row) {
        const existing = await queryRows<{ id: string }>(m, `SELECT id FROM integration_connections WHERE tenant_id = $1 AND vendor = $2`, [tenantId, body.vendor]);
        throw new VigilError('conflict', `this tenant already has a connection for ${body.vendor}; change it with PATCH /api/v1/connections/${existing[0]?.id ?? '{id}'}`, {
          vendor: body.vendor,
          id: existing[0]?.id ?? null,
        });
      }
      await recordAudit(
        m,
        auditBy(principal, origin, 'connection.created', `connection:${row.id}`, { vendor: row.vendor, name: row.name, baseUrl: row.base_url, secretNames: row.secret_names }),
      );
      return toView(row);
    });
    this.resolver.invalidate(tenantId);
    return view;
  }

  async update(principal: Principal, origin: RequestOrigin, id: string, patch: UpdateConnectionBody): Promise<ConnectionView> {
    const tenantId = principal.tenantId;
    const view = await this.db.transaction(async (m) => {
      const current = await this.row(m, tenantId, id, true);
      checkEnabledActions(current.vendor, patch.enabledActions);
      const baseUrl = patch.baseUrl ?? current.base_url;
      if (patch.baseUrl !== undefined || patch.settings !== undefined) await assertBaseUrlAllowed(baseUrl, patch.settings ?? current.settings);
      checkSecretsFollowTheMove(principal, current, baseUrl, patch.secrets);
      let sealed = { ciphertext: current.secrets_ciphertext, iv: current.secrets_iv, authTag: current.secrets_auth_tag, keyId: current.secrets_key_id };
      let names = current.secret_names;
      if (patch.secrets && Object.keys(patch.secrets).length > 0) {
        const secrets = decryptRow(this.cipher, current);
        for (const [name, value] of Object.entries(patch.secrets)) {
          if (value === null) delete secrets[name];
          else secrets[name] = value;
        }
        sealed = this.cipher.encrypt(secrets, connectionAssociatedData(tenantId, id));
        names = Object.keys(secrets).sort();
      }
      const rows = await queryRows<ConnectionRow>(
        m,
        `UPDATE integration_connections SET name = $3, base_url = $4, settings = $5, enabled_actions = $6, secret_names = $7,
           secrets_ciphertext = $8, secrets_iv = $9, secrets_auth_tag = $10, secrets_key_id = $11, updated_at = now()
         WHERE tenant_id = $1 AND id = $2 RETURNING ${CONNECTION_COLUMNS}`,
        [
          tenantId,
          id,
          patch.name ?? current.name,
          patch.baseUrl ?? current.base_url,
          JSON.stringify(patch.settings ?? current.settings),
          patch.enabledActions === undefined ? current.enabled_actions : patch.enabledActions,
          names,
          sealed.ciphertext,
          sealed.iv,
          sealed.authTag,
          sealed.keyId,
        ],
      );
      const changed = Object.keys(patch).filter((k) => k !== 'secrets');
      await recordAudit(
        m,
        auditBy(principal, origin, 'connection.updated', `connection:${id}`, { vendor: current.vendor, fields: changed, secretsChanged: Object.keys(patch.secrets ?? {}).sort() }),
      );
      return toView(rows[0]!);
    });
    this.resolver.invalidate(tenantId);
    return view;
  }

  async remove(principal: Principal, origin: RequestOrigin, id: string): Promise<void> {
    const tenantId = principal.tenantId;
    if (!UUID.test(id)) throw notFound('connection', id);
    await this.db.transaction(async (m) => {
      const rows = await queryRows<{ vendor: string }>(m, `DELETE FROM integration_connections WHERE tenant_id = $1 AND id = $2 RETURNING vendor`, [tenantId, id]);
      if (!rows[0]) throw notFound('connection', id);
      await recordAudit(m, auditBy(principal, origin, 'connection.deleted', `connection:${id}`, { vendor: rows[0].vendor }));
    });
    this.resolver.invalidate(tenantId);
  }

  /** Re-encrypts every connection of the tenant under the current key (after a new key was put first in VIGIL_SECRETS_KEYS). */
  async rotate(principal: Principal, origin: RequestOrigin): Promise<RotateResult> {
    const tenantId = principal.tenantId;
    const keyId = this.cipher.currentKeyId;
    const result = await this.db.transaction(async (m) => {
      const rows = await queryRows<ConnectionRow>(m, `SELECT ${CONNECTION_COLUMNS} FROM integration_connections WHERE tenant_id = $1 ORDER BY id FOR UPDATE`, [tenantId]);
      let unchanged = 0;
      const fromKeys: Record<string, number> = {};
      for (const row of rows) {
        if (row.secrets_key_id === keyId) unchanged += 1;
        fromKeys[row.secrets_key_id] = (fromKeys[row.secrets_key_id] ?? 0) + 1;
        const sealed = this.cipher.encrypt(decryptRow(this.cipher, row), connectionAssociatedData(tenantId, row.id));
        await m.query(
          `UPDATE integration_connections SET secrets_ciphertext = $3, secrets_iv = $4, secrets_auth_tag = $5, secrets_key_id = $6, updated_at = now() WHERE tenant_id = $1 AND id = $2`,
          [tenantId, row.id, sealed.ciphertext, sealed.iv, sealed.authTag, sealed.keyId],
        );
      }
      await recordAudit(m, auditBy(principal, origin, 'connection.secrets_rotated', `tenant:${tenantId}`, { keyId, connections: rows.length, fromKeys }));
      return { keyId, rotated: rows.length - unchanged, unchanged };
    });
    this.resolver.invalidate(tenantId);
    return result;
  }

  /**
   * Development: gives the tenant with this slug a connection to the vendor simulator for every
   * vendor it has none for, encrypted like any other. Returns the vendors added.
   */
  async ensureSimulatorConnections(tenantSlug: string, simulatorUrl: string): Promise<string[]> {
    const tenants = await queryRows<{ id: string }>(this.db, `SELECT id FROM tenants WHERE slug = $1`, [tenantSlug]);
    const tenantId = tenants[0]?.id;
    if (!tenantId) return [];
    const added: string[] = [];
    for (const [vendor, connection] of Object.entries(simulatorConnections(simulatorUrl))) {
      const id = randomUUID();
      const sealed = this.cipher.encrypt(connection.secrets, connectionAssociatedData(tenantId, id));
      const rows = await queryRows<{ id: string }>(
        this.db,
        `INSERT INTO integration_connections (id, tenant_id, vendor, name, base_url, settings, enabled_actions, secret_names, secrets_ciphertext, secrets_iv, secrets_auth_tag, secrets_key_id)
         VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $9, $10, $11)
         ON CONFLICT (tenant_id, vendor) DO NOTHING RETURNING id`,
        [
          id,
          tenantId,
          vendor,
          `${vendor} (vendor simulator)`,
          connection.baseUrl,
          JSON.stringify(connection.settings),
          Object.keys(connection.secrets).sort(),
          sealed.ciphertext,
          sealed.iv,
          sealed.authTag,
          sealed.keyId,
        ],
      );
      if (rows[0]) added.push(vendor);
    }
    if (added.length > 0) this.resolver.invalidate(tenantId);
    return added;
  }

  private async row(m: EntityManager, tenantId: string, id: string, forUpdate: boolean): Promise<ConnectionRow> {
    if (!UUID.test(id)) throw notFound('connection', id);
    const rows = await queryRows<ConnectionRow>(m, `SELECT ${CONNECTION_COLUMNS} FROM integration_connections WHERE tenant_id = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`, [
      tenantId,
      id,
    ]);
    if (!rows[0]) throw notFound('connection', id);
    return rows[0];
  }
}
