import type { ConnectionContext } from '../../integrations/core/action.js';

/**
 * Port: finds a tenant's connection to a vendor with its secrets decrypted. Called only inside
 * activities, so secrets never enter workflow input or history.
 */
export abstract class ConnectionResolver {
  abstract resolve(tenantId: string, vendor: string): Promise<ConnectionContext>;
}
