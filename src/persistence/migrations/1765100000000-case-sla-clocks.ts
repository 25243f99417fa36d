import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Each case's SLA clocks as planned (and what was recorded of them), and the escalation pages they sent. */
export class CaseSlaClocks1765100000000 implements MigrationInterface {
  name = 'CaseSlaClocks1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "case_sla_clocks" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "case_id" uuid NOT NULL, "clock" text NOT NULL, "policy_id" uuid NOT NULL, "severity_id" smallint NOT NULL, "clock_start" text NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "target_seconds" integer NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE, "at_risk_at" TIMESTAMP WITH TIME ZONE, "thresholds" jsonb NOT NULL DEFAULT '[]', "pauses" jsonb NOT NULL DEFAULT '[]', "calendar" jsonb NOT NULL, "escalation_policy_id" uuid, "status" text NOT NULL, "stopped_at" TIMESTAMP WITH TIME ZONE, "met_at" TIMESTAMP WITH TIME ZONE, "breached_at" TIMESTAMP WITH TIME ZONE, "breached_by_ms" bigint, "acknowledged_at" TIMESTAMP WITH TIME ZONE, "acknowledged_by" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9ecf25ffeb29f3bb89c0c63db37" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "case_sla_clocks_case_uq" ON "case_sla_clocks" ("tenant_id", "case_id", "clock")`);
    // Open clocks by due time, per tenant: the case list's "order by due" and the re-plan of a tenant's open clocks.
    await q.query(`CREATE INDEX "case_sla_clocks_open_due_idx" ON "case_sla_clocks" ("tenant_id", "due_at") WHERE "stopped_at" IS NULL`);
    await q.query(`CREATE INDEX "case_sla_clocks_status_idx" ON "case_sla_clocks" ("tenant_id", "status", "due_at")`);
    await q.query(
      `CREATE TABLE "sla_escalations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "case_id" uuid NOT NULL, "clock" text NOT NULL, "threshold" integer NOT NULL, "level" integer NOT NULL, "escalation_policy_id" uuid, "recipients" jsonb NOT NULL DEFAULT '[]', "channels" text array NOT NULL DEFAULT '{}', "deliveries" jsonb NOT NULL DEFAULT '[]', "sent_at" TIMESTAMP WITH TIME ZONE, "acknowledged_at" TIMESTAMP WITH TIME ZONE, "acknowledged_by" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_0c8899de9d83e6c84611977ff6f" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "sla_escalations_page_uq" ON "sla_escalations" ("tenant_id", "case_id", "clock", "threshold", "level")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "sla_escalations"`);
    await q.query(`DROP TABLE "case_sla_clocks"`);
  }
}
