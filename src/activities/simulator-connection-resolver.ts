import { Inject, Injectable } from '@nestjs/common';
import type { ConnectionContext } from '../../integrations/core/action.js';
import { simulatorConnections } from '../../integrations/simulator/connections.js';
import { type AppConfig, APP_CONFIG } from '../config/config.schema.js';
import { VigilError } from '../common/errors/vigil-error.js';
import { ConnectionResolver } from './connection-resolver.js';

/**
 * Development and test connections: every tenant's vendors point at Vigil's vendor simulator.
 * Per-tenant encrypted connections replace this when they are configured.
 */
@Injectable()
export class SimulatorConnectionResolver extends ConnectionResolver {
  private readonly connections: Readonly<Record<string, ConnectionContext>>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super();
    this.connections = simulatorConnections(config.simulatorUrl);
  }

  async resolve(_tenantId: string, vendor: string): Promise<ConnectionContext> {
    const connection = this.connections[vendor];
    if (!connection) throw new VigilError('not_found', `no connection for vendor ${vendor}`, { vendor });
    return connection;
  }
}
