import { Inject, Injectable } from '@nestjs/common';
import type { ConnectionContext } from '../../integrations/core/action.js';
import { simulatorConnections } from '../../integrations/simulator/connections.js';
import { type AppConfig, APP_CONFIG } from '../config/config.schema.js';
import { DEFAULT_SAFETY } from './connection-settings.js';
import { ConnectionResolver, NoConnectionError, type ResolvedConnection } from './connection-resolver.js';

/**
 * Development and test connections: every vendor points at Vigil's vendor simulator with its
 * documented credentials. The database resolver falls back to these when
 * `VIGIL_SIMULATOR_CONNECTIONS=true` and the tenant has no connection of its own.
 */
@Injectable()
export class SimulatorConnectionResolver extends ConnectionResolver {
  private readonly connections: Readonly<Record<string, ConnectionContext>>;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'simulatorUrl'>) {
    super();
    this.connections = simulatorConnections(config.simulatorUrl);
  }

  async resolve(_tenantId: string, vendor: string): Promise<ResolvedConnection> {
    const context = this.connections[vendor];
    if (!context) throw new NoConnectionError(vendor);
    return { context, source: 'simulator', connectionId: null, enabledActions: null, safety: DEFAULT_SAFETY };
  }

  invalidate(): void {
    // Nothing cached per tenant.
  }
}
