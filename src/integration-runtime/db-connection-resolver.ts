import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type AppConfig, APP_CONFIG } from '../config/config.schema.js';
import { ConnectionResolver, NoConnectionError, type ResolvedConnection } from './connection-resolver.js';
import { SimulatorConnectionResolver } from './simulator-connection-resolver.js';
import { queryRows } from '../persistence/query-rows.js';
import { safetySettingsOf } from './connection-settings.js';
import { CONNECTION_COLUMNS, type ConnectionRow, decryptRow } from './connections.service.js';
import { SecretsCipher } from './secrets-cipher.js';

/** Decrypted connections are reused this long per process; a change made through this process's API applies at once. */
const CACHE_MS = 5_000;
const MAX_CACHED = 5_000;

/**
 * Resolves a tenant's connection from `integration_connections`, decrypting its secrets (inside
 * activities only). Without one, development and test deployments (`VIGIL_SIMULATOR_CONNECTIONS=true`)
 * fall back to the vendor simulator; anywhere else the action fails with `no_connection`.
 */
@Injectable()
export class DbConnectionResolver extends ConnectionResolver {
  private readonly cache = new Map<string, { value: ResolvedConnection | null; until: number }>();
  private readonly simulator: SimulatorConnectionResolver | undefined;

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(SecretsCipher) private readonly cipher: SecretsCipher,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    super();
    this.simulator = config.simulatorConnections ? new SimulatorConnectionResolver(config) : undefined;
  }

  async resolve(tenantId: string, vendor: string): Promise<ResolvedConnection> {
    const key = `${tenantId}\u0000${vendor}`;
    const now = Date.now();
    const hit = this.cache.get(key);
    let own: ResolvedConnection | null;
    if (hit && hit.until > now) {
      own = hit.value;
    } else {
      own = await this.load(tenantId, vendor);
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      this.cache.set(key, { value: own, until: now + CACHE_MS });
    }
    if (own) return own;
    if (this.simulator) return this.simulator.resolve(tenantId, vendor);
    throw new NoConnectionError(vendor);
  }

  invalidate(tenantId: string): void {
    for (const key of this.cache.keys()) if (key.startsWith(`${tenantId}\u0000`)) this.cache.delete(key);
  }

  private async load(tenantId: string, vendor: string): Promise<ResolvedConnection | null> {
    const rows = await queryRows<ConnectionRow>(this.db, `SELECT ${CONNECTION_COLUMNS} FROM integration_connections WHERE tenant_id = $1 AND vendor = $2`, [tenantId, vendor]);
    const row = rows[0];
    if (!row) return null;
    const settings = Object.freeze({ ...row.settings });
    return {
      context: Object.freeze({ baseUrl: row.base_url, secrets: Object.freeze(decryptRow(this.cipher, row)), settings }),
      source: 'tenant',
      connectionId: row.id,
      enabledActions: row.enabled_actions,
      safety: safetySettingsOf(settings),
    };
  }
}
