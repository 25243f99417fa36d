import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Case work (assignee, tags, merges, comments, tasks) and the indexes the case list needs; users and
 * per-user, MSSP-operator API keys; the append-only audit log, enforced by a trigger.
 */
export class CasesTenantsAudit1764200000000 implements MigrationInterface {
  name = 'CasesTenantsAudit1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "cases" ADD "assignee" text`);
    await q.query(`ALTER TABLE "cases" ADD "tags" text array NOT NULL DEFAULT '{}'`);
    await q.query(`ALTER TABLE "cases" ADD "merged_into" uuid`);
    await q.query(`CREATE INDEX "cases_tenant_updated_idx" ON "cases" ("tenant_id", "updated_at")`);
    await q.query(`CREATE INDEX "cases_tenant_severity_idx" ON "cases" ("tenant_id", "severity_id", "created_at")`);
    await q.query(`CREATE INDEX "cases_tenant_status_idx" ON "cases" ("tenant_id", "status", "created_at")`);
    await q.query(`CREATE INDEX "cases_tenant_assignee_idx" ON "cases" ("tenant_id", "assignee", "created_at")`);
    await q.query(`CREATE INDEX "cases_tags_idx" ON "cases" USING gin ("tags")`);

    await q.query(
      `CREATE TABLE "case_comments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "case_id" uuid NOT NULL, "author" text NOT NULL, "body" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e309fb1394ca40f0f931642981f" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "case_comments_case_idx" ON "case_comments" ("tenant_id", "case_id", "created_at")`);
    await q.query(
      `CREATE TABLE "case_tasks" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "case_id" uuid NOT NULL, "title" text NOT NULL, "assignee" text, "done" boolean NOT NULL DEFAULT false, "created_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "done_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_6884bc205016f0df75a601d9311" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "case_tasks_case_idx" ON "case_tasks" ("tenant_id", "case_id", "created_at")`);

    await q.query(
      `CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "email" text NOT NULL, "name" text NOT NULL, "role" text NOT NULL, "mssp_operator" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "removed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "users_tenant_idx" ON "users" ("tenant_id", "created_at")`);
    await q.query(`CREATE UNIQUE INDEX "users_tenant_email_uq" ON "users" ("tenant_id", lower("email")) WHERE "removed_at" IS NULL`);
    await q.query(`ALTER TABLE "api_keys" ADD "user_id" uuid`);
    await q.query(`ALTER TABLE "api_keys" ADD "mssp_operator" boolean NOT NULL DEFAULT false`);
    await q.query(`CREATE INDEX "api_keys_user_idx" ON "api_keys" ("user_id")`);
    // The bootstrap admin key of the provider's tenant is its first MSSP operator.
    await q.query(`UPDATE "api_keys" SET "mssp_operator" = true WHERE "name" = 'bootstrap admin' AND "tenant_id" IN (SELECT "id" FROM "tenants" WHERE "slug" = 'default')`);

    await q.query(
      `CREATE TABLE "audit_log" ("id" BIGSERIAL NOT NULL, "tenant_id" uuid NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "actor" text NOT NULL, "action" text NOT NULL, "target" text NOT NULL, "details" jsonb NOT NULL DEFAULT '{}', "ip" text, "user_agent" text, CONSTRAINT "PK_07fefa57f7f5ab8fc3f52b3ed0b" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "audit_log_tenant_idx" ON "audit_log" ("tenant_id", "id")`);
    await q.query(`CREATE INDEX "audit_log_tenant_at_idx" ON "audit_log" ("tenant_id", "at")`);
    await q.query(`CREATE INDEX "audit_log_tenant_actor_idx" ON "audit_log" ("tenant_id", "actor", "id")`);
    await q.query(`CREATE INDEX "audit_log_tenant_action_idx" ON "audit_log" ("tenant_id", "action", "id")`);
    // Append-only in the database itself, whatever the application does.
    await q.query(`CREATE FUNCTION "vigil_audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
      END
    $$`);
    await q.query(`CREATE TRIGGER "audit_log_no_change" BEFORE UPDATE OR DELETE ON "audit_log" FOR EACH ROW EXECUTE FUNCTION "vigil_audit_log_append_only"()`);
    await q.query(`CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log" FOR EACH STATEMENT EXECUTE FUNCTION "vigil_audit_log_append_only"()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "audit_log"`);
    await q.query(`DROP FUNCTION "vigil_audit_log_append_only"()`);
    await q.query(`DROP INDEX "api_keys_user_idx"`);
    await q.query(`ALTER TABLE "api_keys" DROP COLUMN "mssp_operator"`);
    await q.query(`ALTER TABLE "api_keys" DROP COLUMN "user_id"`);
    await q.query(`DROP TABLE "users"`);
    await q.query(`DROP TABLE "case_tasks"`);
    await q.query(`DROP TABLE "case_comments"`);
    await q.query(`DROP INDEX "cases_tags_idx"`);
    await q.query(`DROP INDEX "cases_tenant_assignee_idx"`);
    await q.query(`DROP INDEX "cases_tenant_status_idx"`);
    await q.query(`DROP INDEX "cases_tenant_severity_idx"`);
    await q.query(`DROP INDEX "cases_tenant_updated_idx"`);
    await q.query(`ALTER TABLE "cases" DROP COLUMN "merged_into"`);
    await q.query(`ALTER TABLE "cases" DROP COLUMN "tags"`);
    await q.query(`ALTER TABLE "cases" DROP COLUMN "assignee"`);
  }
}
