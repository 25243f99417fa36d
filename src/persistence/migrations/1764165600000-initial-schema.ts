import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tenants, API keys, cases, alerts, the case timeline and the outbox. */
export class InitialSchema1764165600000 implements MigrationInterface {
  name = 'InitialSchema1764165600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "alerts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "case_id" uuid NOT NULL, "source" text NOT NULL, "source_uid" text NOT NULL, "fingerprint" text NOT NULL, "severity_id" smallint NOT NULL, "title" text NOT NULL, "event_time" TIMESTAMP WITH TIME ZONE NOT NULL, "finding" jsonb NOT NULL, "raw" json NOT NULL, "count" integer NOT NULL DEFAULT '1', "first_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "join_reason" jsonb NOT NULL, CONSTRAINT "PK_60f895662df096bfcdfab7f4b96" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "alerts_case_idx" ON "alerts" ("tenant_id", "case_id")`);
    await q.query(`CREATE UNIQUE INDEX "alerts_source_uid_uq" ON "alerts" ("tenant_id", "source", "source_uid")`);
    await q.query(
      `CREATE TABLE "api_keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "name" text NOT NULL, "role" text NOT NULL, "key_hash" text NOT NULL, "key_prefix" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_57384430aa1959f4578046c9b81" UNIQUE ("key_hash"), CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "api_keys_tenant_idx" ON "api_keys" ("tenant_id")`);
    await q.query(
      `CREATE TABLE "case_events" ("id" BIGSERIAL NOT NULL, "tenant_id" uuid NOT NULL, "case_id" uuid NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "actor" text NOT NULL, "kind" text NOT NULL, "step_id" text, "message" text NOT NULL, "data" jsonb NOT NULL DEFAULT '{}', "dedup_key" text, CONSTRAINT "PK_61f203ee26b76c6438bbcc7bde6" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "case_events_dedup_uq" ON "case_events" ("tenant_id", "dedup_key")`);
    await q.query(`CREATE INDEX "case_events_case_idx" ON "case_events" ("tenant_id", "case_id", "at")`);
    await q.query(
      `CREATE TABLE "cases" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "title" text NOT NULL, "status" text NOT NULL DEFAULT 'new', "severity_id" smallint NOT NULL, "fingerprint" text NOT NULL, "source" text NOT NULL, "alert_count" integer NOT NULL DEFAULT '0', "playbook_id" text, "playbook_version" text, "playbook_hash" text, "run_status" text NOT NULL DEFAULT 'pending', "workflow_id" text NOT NULL, "resolution" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_alert_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_264acb3048c240fb89aa34626db" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "cases_correlation_idx" ON "cases" ("tenant_id", "fingerprint", "last_alert_at")`);
    await q.query(`CREATE INDEX "cases_tenant_created_idx" ON "cases" ("tenant_id", "created_at")`);
    await q.query(
      `CREATE TABLE "outbox" ("id" BIGSERIAL NOT NULL, "tenant_id" uuid NOT NULL, "case_id" uuid NOT NULL, "kind" text NOT NULL, "payload" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "available_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "attempts" integer NOT NULL DEFAULT '0', "last_error" text, CONSTRAINT "PK_340ab539f309f03bdaa14aa7649" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "outbox_available_idx" ON "outbox" ("available_at", "id")`);
    await q.query(
      `CREATE TABLE "tenants" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "slug" text NOT NULL, "name" text NOT NULL, "status" text NOT NULL DEFAULT 'active', "settings" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_2310ecc5cb8be427097154b18fc" UNIQUE ("slug"), CONSTRAINT "PK_53be67a04681c66b87ee27c9321" PRIMARY KEY ("id"))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "outbox"`);
    await q.query(`DROP TABLE "case_events"`);
    await q.query(`DROP TABLE "alerts"`);
    await q.query(`DROP TABLE "cases"`);
    await q.query(`DROP TABLE "api_keys"`);
    await q.query(`DROP TABLE "tenants"`);
  }
}
