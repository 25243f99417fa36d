import type { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/config.schema.js';
import { createDataSource } from '../../src/persistence/data-source.js';
import { ensureDatabase, runMigrations } from '../../src/persistence/database-bootstrap.js';

/** The test database (created and migrated as Vigil does at start), for repository tests that need no API. */
export async function openTestDatabase(): Promise<DataSource> {
  const config = loadConfig({ ...process.env, NODE_ENV: 'test' });
  await ensureDatabase(config.databaseUrl);
  const db = await createDataSource(config).initialize();
  await runMigrations(db);
  return db;
}

/** A tenant of its own for one test file, so files never share rows. */
export async function createTestTenant(db: DataSource): Promise<string> {
  const slug = `t-${Math.random().toString(16).slice(2, 14)}`;
  const rows: Array<{ id: string }> = await db.query(`INSERT INTO tenants (slug, name) VALUES ($1, $1) RETURNING id`, [slug]);
  return rows[0]!.id;
}
