import type { MigrationInterface } from 'typeorm';
import { InitialSchema1764165600000 } from './1764165600000-initial-schema.js';

type MigrationClass = new () => MigrationInterface;

/** Every migration, oldest first. Migrations are additive: expand, migrate, contract. */
export const MIGRATIONS: MigrationClass[] = [InitialSchema1764165600000];
