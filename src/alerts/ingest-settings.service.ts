import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { auditBy, recordAudit } from '../audit/index.js';
import type { RequestOrigin } from '../common/http/request-origin.js';
import { notFound, VigilError } from '../common/errors/vigil-error.js';
import { type AppConfig, APP_CONFIG } from '../config/config.schema.js';
import type { Principal } from '../common/auth/principal.js';
import { TenantSettingsService } from '../tenants/index.js';
import { correlationSettings } from './correlation.js';
import {
  type CorrelationSettingsBody,
  type CorrelationSettingsView,
  correlationView,
  hmacPolicyOf,
  type IngestSettingsBody,
  type IngestSettingsView,
  ingestView,
} from './ingest-settings.js';

/**
 * Reads and changes a tenant's ingest settings (HMAC) and correlation settings. Each change is one
 * transaction with its audit line; the HMAC secret is write-only and never written to the audit log.
 */
@Injectable()
export class IngestSettingsService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(TenantSettingsService) private readonly tenants: TenantSettingsService,
  ) {}

  private async current(tenantId: string): Promise<Record<string, unknown>> {
    const rows: Array<{ settings: Record<string, unknown> }> = await this.db.query('SELECT settings FROM tenants WHERE id = $1', [tenantId]);
    if (!rows[0]) throw notFound('tenant', tenantId);
    return rows[0].settings ?? {};
  }

  private limits(): IngestSettingsView['limits'] {
    return { maxBodyBytes: this.config.api.maxBodyBytes, maxBatchAlerts: this.config.api.maxBatchAlerts };
  }

  async getIngest(tenantId: string): Promise<IngestSettingsView> {
    return ingestView(hmacPolicyOf(await this.current(tenantId)), this.limits());
  }

  async putIngest(principal: Principal, origin: RequestOrigin, body: IngestSettingsBody): Promise<IngestSettingsView> {
    const tenantId = principal.tenantId;
    const view = await this.db.transaction(async (m) => {
      const settings = await this.tenants.lockedSettings(m, tenantId);
      if (!settings) throw notFound('tenant', tenantId);
      const before = hmacPolicyOf(settings);
      const { secret: given, ...rest } = body.hmac;
      const secret = given === undefined ? before.secret : (given ?? undefined);
      if (rest.required && secret === undefined) {
        throw new VigilError('invalid_body', 'HMAC signatures cannot be required without a secret', {
          issues: [{ path: 'hmac.secret', message: 'required when hmac.required is true' }],
        });
      }
      const ingest = settings['ingest'] && typeof settings['ingest'] === 'object' ? (settings['ingest'] as Record<string, unknown>) : {};
      const stored = { ...ingest, hmac: { ...rest, ...(secret !== undefined ? { secret } : {}) } };
      await this.tenants.setKey(m, tenantId, 'ingest', stored);
      const after = hmacPolicyOf({ ingest: stored });
      await recordAudit(
        m,
        auditBy(principal, origin, 'settings.updated', 'settings:ingest', {
          // Never the secret: only whether it was set, kept or removed.
          secret: given === undefined ? 'kept' : given === null ? 'removed' : 'set',
          before: ingestView(before, this.limits()).hmac,
          after: ingestView(after, this.limits()).hmac,
        }),
      );
      return ingestView(after, this.limits());
    });
    this.tenants.forget(tenantId);
    return view;
  }

  async getCorrelation(tenantId: string): Promise<CorrelationSettingsView> {
    return correlationView(correlationSettings(await this.current(tenantId)));
  }

  async putCorrelation(principal: Principal, origin: RequestOrigin, body: CorrelationSettingsBody): Promise<CorrelationSettingsView> {
    const tenantId = principal.tenantId;
    const view = await this.db.transaction(async (m) => {
      const settings = await this.tenants.lockedSettings(m, tenantId);
      if (!settings) throw notFound('tenant', tenantId);
      const before = correlationSettings(settings);
      const stored = { windowMinutes: body.windowMinutes, fields: body.fields };
      await this.tenants.setKey(m, tenantId, 'correlation', stored);
      await recordAudit(m, auditBy(principal, origin, 'settings.updated', 'settings:correlation', { before, after: stored }));
      return correlationView(correlationSettings({ correlation: stored }));
    });
    this.tenants.forget(tenantId);
    return view;
  }
}
