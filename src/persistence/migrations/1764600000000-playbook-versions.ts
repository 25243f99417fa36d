import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tenants' own playbook versions: immutable rows, at most one active per tenant and playbook id. */
export class PlaybookVersions1764600000000 implements MigrationInterface {
  name = 'PlaybookVersions1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "playbook_versions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "playbook_id" text NOT NULL, "version" text NOT NULL, "hash" text NOT NULL, "source" text NOT NULL, "content" jsonb NOT NULL, "active" boolean NOT NULL DEFAULT false, "created_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_371eb82dd51f03fe849a6cf9fe6" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "playbook_versions_version_uq" ON "playbook_versions" ("tenant_id", "playbook_id", "version")`);
    await q.query(`CREATE UNIQUE INDEX "playbook_versions_hash_uq" ON "playbook_versions" ("tenant_id", "hash")`);
    await q.query(`CREATE UNIQUE INDEX "playbook_versions_active_uq" ON "playbook_versions" ("tenant_id", "playbook_id") WHERE "active"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "playbook_versions"`);
  }
}
