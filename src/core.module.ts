import { type DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ActionRunner } from './activities/action-runner.js';
import { ConnectionResolver } from './activities/connection-resolver.js';
import { SimulatorConnectionResolver } from './activities/simulator-connection-resolver.js';
import { CaseRunsService } from './cases/case-runs.service.js';
import { type AppConfig, APP_CONFIG } from './config/config.schema.js';
import { createDataSource, dataSourceOptions } from './persistence/data-source.js';
import { ensureDatabase, runMigrations } from './persistence/database-bootstrap.js';
import { PlaybookCatalog } from './playbooks/playbook-catalog.service.js';
import { Orchestrator } from './temporal/orchestrator.port.js';
import { TemporalOrchestrator } from './temporal/temporal-orchestrator.js';
import { ApiKeysService } from './tenants/api-keys.service.js';
import { TenantSettingsService } from './tenants/tenant-settings.service.js';

/** What both processes share: config, the database (created and migrated at start), Temporal, playbooks, case writes. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig): DynamicModule {
    const services = [
      ApiKeysService,
      TenantSettingsService,
      PlaybookCatalog,
      CaseRunsService,
      ActionRunner,
      { provide: ConnectionResolver, useClass: SimulatorConnectionResolver },
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
      providers: [{ provide: APP_CONFIG, useValue: config }, ...services],
      exports: [APP_CONFIG, ...services],
    };
  }
}
