import type { MigrationInterface, QueryRunner } from 'typeorm';

/** SLA policies, business calendars, on-call rotas and escalation policies (per tenant; the provider's tenant holds the MSSP-wide rows). */
export class SlaOncall1765000000000 implements MigrationInterface {
  name = 'SlaOncall1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "sla_calendars" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "name" text NOT NULL, "kind" text NOT NULL, "time_zone" text NOT NULL, "hours" jsonb NOT NULL DEFAULT '{}', "holidays" text array NOT NULL DEFAULT '{}', "created_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_977ff103ae9eb48a49a5f007648" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "sla_calendars_name_uq" ON "sla_calendars" ("tenant_id", "name")`);
    await q.query(
      `CREATE TABLE "escalation_policies" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "name" text NOT NULL, "levels" jsonb NOT NULL, "created_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_aea3f30839009e0efd350e4cbc7" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "escalation_policies_name_uq" ON "escalation_policies" ("tenant_id", "name")`);
    await q.query(
      `CREATE TABLE "oncall_rotas" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "name" text NOT NULL, "time_zone" text NOT NULL, "layers" jsonb NOT NULL, "overrides" jsonb NOT NULL DEFAULT '[]', "created_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f10e7b5ca13677bedebee3f3b38" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "oncall_rotas_name_uq" ON "oncall_rotas" ("tenant_id", "name")`);
    await q.query(
      `CREATE TABLE "sla_policies" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "name" text NOT NULL, "severity_id" smallint NOT NULL, "acknowledge_seconds" integer NOT NULL, "contain_seconds" integer NOT NULL, "resolve_seconds" integer NOT NULL, "clock_start" text NOT NULL, "calendar_id" uuid, "pause_on_hold" boolean NOT NULL DEFAULT true, "thresholds" integer array NOT NULL DEFAULT '{50,80,100}', "escalation_policy_id" uuid, "created_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_41b6803cef982534243a67b6302" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "sla_policies_severity_uq" ON "sla_policies" ("tenant_id", "severity_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "sla_policies"`);
    await q.query(`DROP TABLE "oncall_rotas"`);
    await q.query(`DROP TABLE "escalation_policies"`);
    await q.query(`DROP TABLE "sla_calendars"`);
  }
}
