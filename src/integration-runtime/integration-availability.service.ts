import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type CatalogEntry, describeCatalog } from '../../integrations/index.js';
import { type AppConfig, APP_CONFIG } from '../config/config.schema.js';
import { queryRows } from '../persistence/query-rows.js';

export interface IntegrationView extends CatalogEntry {
  /** What the action would run with for this tenant: its own connection, the development simulator, or nothing. */
  connection: 'tenant' | 'simulator' | null;
  /** The tenant's connection exists and enables this action: a playbook step using it can run. */
  connected: boolean;
}

/** The action catalogue as one tenant sees it: every action with its schemas, and whether the tenant can run it. */
@Injectable()
export class IntegrationAvailabilityService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(tenantId: string): Promise<{ items: IntegrationView[] }> {
    const rows = await queryRows<{ vendor: string; enabled_actions: string[] | null }>(
      this.db,
      `SELECT vendor, enabled_actions FROM integration_connections WHERE tenant_id = $1`,
      [tenantId],
    );
    const byVendor = new Map(rows.map((r) => [r.vendor, r.enabled_actions]));
    const items = describeCatalog().map((entry): IntegrationView => {
      if (byVendor.has(entry.vendor)) {
        const enabled = byVendor.get(entry.vendor);
        return { ...entry, connection: 'tenant', connected: !enabled || enabled.includes(entry.key) };
      }
      return { ...entry, connection: this.config.simulatorConnections ? 'simulator' : null, connected: this.config.simulatorConnections };
    });
    return { items };
  }
}
