import { Controller, Get, Inject } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { VigilError } from '../common/errors/vigil-error.js';
import { Orchestrator } from '../temporal/index.js';
import { Public } from '../common/auth/principal.js';

@Controller()
export class HealthController {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(Orchestrator) private readonly orchestrator: Orchestrator,
  ) {}

  /** Alive: the process answers. */
  @Get('healthz')
  @Public()
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Ready: PostgreSQL and Temporal both reachable. */
  @Get('readyz')
  @Public()
  async readyz(): Promise<{ status: 'ready'; postgres: boolean; temporal: boolean }> {
    const [postgres, temporal] = await Promise.all([
      this.db.query('SELECT 1').then(
        () => true,
        () => false,
      ),
      this.orchestrator.isReachable(),
    ]);
    if (!postgres || !temporal) {
      throw new VigilError('unavailable', 'not ready', { postgres, temporal });
    }
    return { status: 'ready', postgres, temporal };
  }
}
