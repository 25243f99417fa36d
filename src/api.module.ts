import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AlertIngestService } from './alerts/alert-ingest.service.js';
import { AlertsController } from './alerts/alerts.controller.js';
import { CasesController } from './cases/cases.controller.js';
import { CasesService } from './cases/cases.service.js';
import { HttpExceptionFilter } from './common/errors/http-exception.filter.js';
import type { AppConfig } from './config/config.schema.js';
import { CoreModule } from './core.module.js';
import { HealthController } from './health/health.controller.js';
import { OutboxRelay } from './outbox/outbox-relay.service.js';
import { ApiKeyGuard } from './tenants/api-key.guard.js';

/** The HTTP API: ingest, cases, health; the outbox relay runs beside it. */
@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [CoreModule.forRoot(config)],
      controllers: [HealthController, AlertsController, CasesController],
      providers: [
        AlertIngestService,
        CasesService,
        OutboxRelay,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
      ],
    };
  }
}
