import 'reflect-metadata';
import { ConsoleLogger, type INestApplicationContext, Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DataSource } from 'typeorm';
import { ApiModule } from './composition/api.module.js';
import { rawBodyMiddleware } from './common/http/raw-body.middleware.js';
import { requestMetricsMiddleware } from './common/http/request-metrics.middleware.js';
import { type AppConfig, ConfigError, loadConfig } from './config/config.schema.js';
import { ConnectionsService } from './integration-runtime/connections.service.js';
import { createDataSource } from './persistence/data-source.js';
import { ensureDatabase, pendingSchemaChanges, runMigrations } from './persistence/database-bootstrap.js';
import { createVigilWorker } from './composition/worker-factory.js';
import { MetricsAccess, MetricsExposition, startWorkerMetricsServer } from './metrics/index.js';
import { ApiKeysService } from './tenants/api-keys.service.js';
import { WorkerModule } from './composition/worker.module.js';

const LEVELS: Record<AppConfig['logLevel'], LogLevel[]> = {
  debug: ['debug', 'log', 'warn', 'error', 'fatal'],
  info: ['log', 'warn', 'error', 'fatal'],
  warn: ['warn', 'error', 'fatal'],
  error: ['error', 'fatal'],
};

export function createLogger(config: AppConfig): ConsoleLogger {
  return new ConsoleLogger({ json: true, logLevels: LEVELS[config.logLevel], colors: false });
}

/** Builds the HTTP API (not yet listening). */
export async function createApi(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    bodyParser: false,
    logger: createLogger(config),
  });
  app.use(requestMetricsMiddleware());
  app.use(rawBodyMiddleware(config.api.maxBodyBytes));
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  return app;
}

async function ensureAdminKey(app: INestApplicationContext, config: AppConfig): Promise<void> {
  if (config.adminKey) await app.get(ApiKeysService).ensureAdminKey(config.adminKey);
}

async function runApi(config: AppConfig, withWorker: boolean): Promise<void> {
  const app = await createApi(config);
  await ensureAdminKey(app, config);
  await app.listen(config.api.port, config.api.host);
  new Logger('Vigil').log(`API listening on ${config.api.publicUrl}`);
  if (withWorker) await runWorker(app, config);
}

async function runWorker(app: INestApplicationContext, config: AppConfig): Promise<void> {
  const { worker, connection } = await createVigilWorker({ config, app });
  const { workerPort, workerHost } = config.metrics;
  const metricsServer =
    workerPort === undefined
      ? undefined
      : await startWorkerMetricsServer({ host: workerHost, port: workerPort, access: app.get(MetricsAccess), exposition: app.get(MetricsExposition) });
  if (metricsServer) new Logger('Vigil').log(`worker metrics on http://${workerHost}:${metricsServer.port}/metrics`);
  const stop = (): void => worker.shutdown();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // Resolves after shutdown, once in-flight tasks finished (or the grace time passed).
  await worker.run();
  await metricsServer?.close();
  await connection.close();
  await app.close();
}

async function withDataSource<T>(config: AppConfig, fn: (ds: DataSource) => Promise<T>): Promise<T> {
  await ensureDatabase(config.databaseUrl);
  const ds = await createDataSource(config).initialize();
  try {
    return await fn(ds);
  } finally {
    await ds.destroy();
  }
}

async function main(command: string): Promise<void> {
  const config = loadConfig(process.env);
  switch (command) {
    case 'api':
      return runApi(config, false);
    case 'all':
      return runApi(config, true);
    case 'worker': {
      const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: createLogger(config) });
      app.enableShutdownHooks();
      return runWorker(app, config);
    }
    case 'migrate':
      await withDataSource(config, async (ds) => {
        const applied = await runMigrations(ds);
        process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
      });
      return;
    case 'migration-check':
      await withDataSource(config, async (ds) => {
        await runMigrations(ds);
        const pending = await pendingSchemaChanges(ds);
        if (pending.length > 0) {
          process.stderr.write(`entities changed without a migration; missing SQL:\n${pending.map((q) => `  ${q};`).join('\n')}\n`);
          process.exitCode = 1;
        } else {
          process.stdout.write('entities and migrations agree\n');
        }
      });
      return;
    case 'bootstrap-key': {
      // Prints a new admin key for tenant `default` once (nothing when one exists); used by `npm start`.
      const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: ['error'] });
      const keys = app.get(ApiKeysService);
      if (config.adminKey) await keys.ensureAdminKey(config.adminKey);
      else {
        const key = await keys.createFirstAdminKey();
        if (key) process.stdout.write(`${key}\n`);
      }
      await app.close();
      return;
    }
    case 'simulator-connections': {
      // Development (`npm start`): tenant `default` gets a connection to the vendor simulator for every vendor it has none for.
      const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: ['error'] });
      const added = await app.get(ConnectionsService).ensureSimulatorConnections('default', config.simulatorUrl);
      process.stdout.write(added.length ? `simulator connections added for tenant default: ${added.join(', ')}\n` : 'tenant default already has its connections\n');
      await app.close();
      return;
    }
    default:
      throw new ConfigError([`unknown command '${command}': use api, worker, all, migrate, migration-check, bootstrap-key or simulator-connections`]);
  }
}

const isEntry = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry) {
  main(process.argv[2] ?? 'all').catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`vigil: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`vigil: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
