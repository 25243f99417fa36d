import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ActionRunner } from '../activities/action-runner.js';
import { CONNECTION_PROVIDERS } from '../integration-runtime/connections.providers.js';
import { ApprovalsRepository } from '../approvals/approvals.repository.js';
import { AuditRepository } from '../audit/audit.repository.js';
import { AuditService } from '../audit/audit.service.js';
import { CaseRunsService } from '../cases/case-runs.service.js';
import { type AppConfig, APP_CONFIG } from '../config/config.schema.js';
import { createDataSource, dataSourceOptions } from '../persistence/data-source.js';
import { ensureDatabase, runMigrations } from '../persistence/database-bootstrap.js';
import { PlaybookLibraryService } from '../playbooks/playbook-library.service.js';
import { Orchestrator } from '../temporal/orchestrator.port.js';
import { TemporalOrchestrator } from '../temporal/temporal-orchestrator.js';
import { ApiKeysService } from '../tenants/api-keys.service.js';
import { TenantSettingsService } from '../tenants/tenant-settings.service.js';
import { TimelineRepository } from '../timeline/timeline.repository.js';

/** What both processes share: config, the database (created and migrated at start), Temporal, playbooks, case writes. */
@Global()
@Module({})
export class CoreModule {
  /** `overrides` replace providers by token (the playbook test runner swaps in a recording ActionRunner). */
  static forRoot(config: AppConfig, overrides: Provider[] = []): DynamicModule {
    const services = [
      ApiKeysService,
      TenantSettingsService,
      PlaybookLibraryService,
      TimelineRepository,
      CaseRunsService,
      ApprovalsRepository,
      AuditRepository,
      AuditService,
      ActionRunner,
      ...CONNECTION_PROVIDERS,
      { provide: Orchestrator, useClass: TemporalOrchestrator },
    ];
    return {
      module: CoreModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSourceOptions(config),
          dataSourceFactory: async () => {
            await ensureDatabase(config.databaseUrl);
            const dataSource = await createDataSource(config).initialize();
            await runMigrations(dataSource);
            return dataSource;
          },
        }),
      ],
      providers: [{ provide: APP_CONFIG, useValue: config }, ...services, ...overrides],
      exports: [APP_CONFIG, ...services],
    };
  }
}
