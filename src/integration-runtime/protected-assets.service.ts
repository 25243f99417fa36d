import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { auditBy, recordAudit } from '../audit/index.js';
import type { RequestOrigin } from '../common/http/request-origin.js';
import { notFound, VigilError } from '../common/errors/vigil-error.js';
import type { ProtectedAssetKind } from '../persistence/entities/protected-asset.entity.js';
import { queryRows } from '../persistence/query-rows.js';
import type { Principal } from '../common/auth/principal.js';
import type { ProtectedAssetRule } from './protected-asset-matching.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const PROTECTED_ASSET_KINDS = ['host', 'user', 'ip', 'domain'] as const satisfies readonly ProtectedAssetKind[];

export const createProtectedAssetBody = z
  .strictObject({
    kind: z.enum(PROTECTED_ASSET_KINDS).meta({ description: 'What the pattern names.' }),
    pattern: z
      .string()
      .trim()
      .min(1)
      .max(256)
      .regex(/^[^\s]+$/, { error: 'a pattern has no spaces' })
      .meta({ description: 'An exact value (case-insensitive), a `*` wildcard pattern (`dc-*`), or for `ip` an IPv4 address or CIDR network.' }),
    reason: z.string().trim().min(1).max(500).meta({ description: 'Why it is protected; shown when containment is refused.' }),
  })
  .meta({ id: 'CreateProtectedAsset' });
export type CreateProtectedAssetBody = z.output<typeof createProtectedAssetBody>;

export const protectedAssetViewSchema = z
  .object({ id: z.string(), kind: z.enum(PROTECTED_ASSET_KINDS), pattern: z.string(), reason: z.string(), createdBy: z.string(), createdAt: z.string() })
  .meta({ id: 'ProtectedAsset' });
export type ProtectedAssetView = z.output<typeof protectedAssetViewSchema>;

interface Row {
  id: string;
  kind: ProtectedAssetKind;
  pattern: string;
  reason: string;
  created_by: string;
  created_at: Date;
}

function toView(r: Row): ProtectedAssetView {
  return { id: r.id, kind: r.kind, pattern: r.pattern, reason: r.reason, createdBy: r.created_by, createdAt: new Date(r.created_at).toISOString() };
}

/** Assets containment must not touch without an override approval, per tenant. */
@Injectable()
export class ProtectedAssetsService {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async list(tenantId: string): Promise<{ items: ProtectedAssetView[] }> {
    const rows = await queryRows<Row>(this.db, `SELECT id, kind, pattern, reason, created_by, created_at FROM protected_assets WHERE tenant_id = $1 ORDER BY kind, pattern`, [
      tenantId,
    ]);
    return { items: rows.map(toView) };
  }

  /** The tenant's rules, for the containment check (read on every containment attempt: protection applies at once). */
  async rules(tenantId: string): Promise<ProtectedAssetRule[]> {
    return queryRows<ProtectedAssetRule>(this.db, `SELECT id, kind, pattern, reason FROM protected_assets WHERE tenant_id = $1`, [tenantId]);
  }

  async create(principal: Principal, origin: RequestOrigin, body: CreateProtectedAssetBody): Promise<ProtectedAssetView> {
    return this.db.transaction(async (m) => {
      const rows = await queryRows<Row>(
        m,
        `INSERT INTO protected_assets (tenant_id, kind, pattern, reason, created_by) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant_id, kind, pattern) DO NOTHING RETURNING id, kind, pattern, reason, created_by, created_at`,
        [principal.tenantId, body.kind, body.pattern, body.reason, principal.actor],
      );
      if (!rows[0]) throw new VigilError('conflict', `${body.kind} ${body.pattern} is already protected`, { kind: body.kind, pattern: body.pattern });
      await recordAudit(m, auditBy(principal, origin, 'protected_asset.created', `protected_asset:${rows[0].id}`, { kind: body.kind, pattern: body.pattern, reason: body.reason }));
      return toView(rows[0]);
    });
  }

  async remove(principal: Principal, origin: RequestOrigin, id: string): Promise<void> {
    if (!UUID.test(id)) throw notFound('protected asset', id);
    await this.db.transaction(async (m) => {
      const rows = await queryRows<Row>(m, `DELETE FROM protected_assets WHERE tenant_id = $1 AND id = $2 RETURNING id, kind, pattern, reason, created_by, created_at`, [
        principal.tenantId,
        id,
      ]);
      if (!rows[0]) throw notFound('protected asset', id);
      await recordAudit(m, auditBy(principal, origin, 'protected_asset.deleted', `protected_asset:${id}`, { kind: rows[0].kind, pattern: rows[0].pattern }));
    });
  }
}
