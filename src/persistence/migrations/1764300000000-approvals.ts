import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Approvals a playbook run waits for, and the one-time record of used approval links. */
export class Approvals1764300000000 implements MigrationInterface {
  name = 'Approvals1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "approvals" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "case_id" uuid NOT NULL, "workflow_id" text NOT NULL, "step_id" text NOT NULL, "visit" text NOT NULL, "question" text NOT NULL, "action" text, "target" text, "params" jsonb, "evidence" jsonb NOT NULL DEFAULT '{}', "levels" jsonb NOT NULL, "level_index" integer NOT NULL DEFAULT '0', "quorum" integer NOT NULL DEFAULT '1', "votes" jsonb NOT NULL, "status" text NOT NULL DEFAULT 'pending', "outcome" text, "default_outcome" text NOT NULL, "outcome_reason" text, "requested_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "decided_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_690417aaefa84d18b1a59e2a499" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "approvals_run_step_uq" ON "approvals" ("workflow_id", "step_id", "visit")`);
    await q.query(`CREATE INDEX "approvals_case_idx" ON "approvals" ("tenant_id", "case_id")`);
    await q.query(`CREATE INDEX "approvals_tenant_status_idx" ON "approvals" ("tenant_id", "status", "created_at")`);
    await q.query(
      `CREATE TABLE "approval_link_uses" ("token_hash" text NOT NULL, "tenant_id" uuid NOT NULL, "approval_id" uuid NOT NULL, "approver" text NOT NULL, "decision" text NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d1ceca6b4ff0fa0912d7a04d997" PRIMARY KEY ("token_hash"))`,
    );
    await q.query(`CREATE INDEX "approval_link_uses_approval_idx" ON "approval_link_uses" ("tenant_id", "approval_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "approval_link_uses"`);
    await q.query(`DROP TABLE "approvals"`);
  }
}
