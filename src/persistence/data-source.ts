import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/config.schema.js';
import { ENTITIES } from './entities/index.js';
import { MIGRATIONS } from './migrations/index.js';

export function dataSourceOptions(config: Pick<AppConfig, 'databaseUrl' | 'databasePoolSize'>): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    // Schema changes go through migrations only; `npm test` fails when an entity drifted from them.
    synchronize: false,
    migrationsRun: false,
    migrationsTableName: 'vigil_migrations',
    poolSize: config.databasePoolSize,
    logging: false,
    // gen_random_uuid() is built into PostgreSQL 13+; no extension to install.
    uuidExtension: 'pgcrypto',
  };
}

export function createDataSource(config: Pick<AppConfig, 'databaseUrl' | 'databasePoolSize'>): DataSource {
  return new DataSource(dataSourceOptions(config));
}
