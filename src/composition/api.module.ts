import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AlertIngestService } from '../alerts/alert-ingest.service.js';
import { AlertQueriesRepository } from '../alerts/alert-queries.repository.js';
import { AlertReadController } from '../alerts/alert-read.controller.js';
import { AlertReadService } from '../alerts/alert-read.service.js';
import { AlertsController } from '../alerts/alerts.controller.js';
import { AlertsRepository } from '../alerts/alerts.repository.js';
import { IngestSettingsService } from '../alerts/ingest-settings.service.js';
import { IngestSignatureVerifier } from '../alerts/ingest-signature.service.js';
import { SettingsController } from '../alerts/settings.controller.js';
import { ApprovalsController } from '../approvals/approvals.controller.js';
import { ApprovalsService } from '../approvals/approvals.service.js';
import { AuditController } from '../audit/audit.controller.js';
import { CaseNotesService } from '../cases/case-notes.service.js';
import { CaseUpdatesService } from '../cases/case-updates.service.js';
import { CasesController } from '../cases/cases.controller.js';
import { CasesRepository } from '../cases/cases.repository.js';
import { CasesService } from '../cases/cases.service.js';
import { HttpExceptionFilter } from '../common/errors/http-exception.filter.js';
import type { AppConfig } from '../config/config.schema.js';
import { CoreModule } from './core.module.js';
import { IntegrationsApiModule } from '../integration-runtime/integrations-api.module.js';
import { HealthController } from '../health/health.controller.js';
import { SlaApiModule } from '../sla/index.js';
import { MetricsApiModule } from '../metrics/index.js';
import { OpenApiController } from '../openapi/openapi.controller.js';
import { OutboxRelay } from '../outbox/outbox-relay.service.js';
import { OutboxRepository } from '../outbox/outbox.repository.js';
import { PlaybooksController } from '../playbooks/playbooks.controller.js';
import { PlaybookVersionsService } from '../playbooks/playbook-versions.service.js';
import { ValidationPool } from '../playbooks/validation-pool.js';
import { AccessService } from '../tenants/access.service.js';
import { ApiKeyGuard } from '../tenants/api-key.guard.js';
import { TenantsController } from '../tenants/tenants.controller.js';
import { TenantsService } from '../tenants/tenants.service.js';

/** The HTTP API: ingest, alerts, cases, health; the outbox relay runs beside it. */
@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [CoreModule.forRoot(config), IntegrationsApiModule, SlaApiModule, MetricsApiModule],
      controllers: [
        HealthController,
        AlertsController,
        AlertReadController,
        SettingsController,
        CasesController,
        PlaybooksController,
        TenantsController,
        AuditController,
        OpenApiController,
        ApprovalsController,
      ],
      providers: [
        AlertIngestService,
        AlertsRepository,
        AlertReadService,
        AlertQueriesRepository,
        IngestSettingsService,
        IngestSignatureVerifier,
        CasesService,
        CasesRepository,
        CaseUpdatesService,
        CaseNotesService,
        TenantsService,
        AccessService,
        OutboxRelay,
        OutboxRepository,
        ApprovalsService,
        PlaybookVersionsService,
        ValidationPool,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
      ],
    };
  }
}
