import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '../config/config.schema.js';
import { MetricsModule } from '../metrics/index.js';
import { SlaClocksModule } from '../sla/index.js';
import { CoreModule } from './core.module.js';

/** The worker's application context: activities get their services from here (the SLA clocks' too). */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: WorkerModule, imports: [CoreModule.forRoot(config), SlaClocksModule, MetricsModule] };
  }
}
