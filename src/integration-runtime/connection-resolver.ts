import type { ConnectionContext } from '../../integrations/core/action.js';
import type { SafetySettings } from './connection-settings.js';

/** A tenant's connection to a vendor, ready for an adapter, with what Vigil enforces around it. */
export interface ResolvedConnection {
  /** What the adapter receives: base URL, decrypted secrets, settings. */
  context: ConnectionContext;
  /** `tenant`: the tenant's own encrypted connection; `simulator`: the development fallback to the vendor simulator. */
  source: 'tenant' | 'simulator';
  connectionId: string | null;
  /** Action keys the connection may run; null means all of the vendor's actions. */
  enabledActions: readonly string[] | null;
  safety: SafetySettings;
}

/** The tenant has no connection for the vendor (and no development fallback applies). */
export class NoConnectionError extends Error {
  override readonly name = 'NoConnectionError';
  constructor(readonly vendor: string) {
    super(`no connection for ${vendor}: add one with POST /api/v1/connections (vendor ${vendor})`);
  }
}

/**
 * Port: finds a tenant's connection to a vendor with its secrets decrypted. Called only inside
 * activities, so secrets never enter workflow input or history.
 */
export abstract class ConnectionResolver {
  /** Throws NoConnectionError when the tenant has none for this vendor. */
  abstract resolve(tenantId: string, vendor: string): Promise<ResolvedConnection>;
  /** Forgets what is cached for the tenant (after its connections changed). */
  abstract invalidate(tenantId: string): void;
}
