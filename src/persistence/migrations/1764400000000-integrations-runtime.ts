import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The integrations runtime: per-tenant encrypted connections, rate-limit buckets and concurrency leases, the enrichment cache, the containment ledger and protected assets. */
export class IntegrationsRuntime1764400000000 implements MigrationInterface {
  name = 'IntegrationsRuntime1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "integration_connections" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "vendor" text NOT NULL, "name" text NOT NULL, "base_url" text NOT NULL, "settings" jsonb NOT NULL DEFAULT '{}', "enabled_actions" text array, "secret_names" text array NOT NULL DEFAULT '{}', "secrets_ciphertext" bytea NOT NULL, "secrets_iv" bytea NOT NULL, "secrets_auth_tag" bytea NOT NULL, "secrets_key_id" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b1ec518bfa5fa7404045412de2e" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "integration_connections_vendor_uq" ON "integration_connections" ("tenant_id", "vendor")`);
    await q.query(
      `CREATE TABLE "protected_assets" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "kind" text NOT NULL, "pattern" text NOT NULL, "reason" text NOT NULL, "created_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b3fefc6915f08b42dd0e2f26851" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "protected_assets_pattern_uq" ON "protected_assets" ("tenant_id", "kind", "pattern")`);
    await q.query(
      `CREATE TABLE "containment_actions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "case_id" uuid, "idempotency_key" text NOT NULL, "workflow_id" text, "step_id" text, "action" text NOT NULL, "inverse" text, "input" jsonb NOT NULL, "target" text, "status" text NOT NULL DEFAULT 'pending', "result" jsonb, "error" text, "reverts_id" uuid, "override_approval_id" text, "expires_at" TIMESTAMP WITH TIME ZONE, "reverted_at" TIMESTAMP WITH TIME ZONE, "revert_reason" text, "reverted_by" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_57e13b9e0e8a1057c8dc9753f8c" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "containment_actions_key_uq" ON "containment_actions" ("tenant_id", "idempotency_key")`);
    await q.query(`CREATE INDEX "containment_actions_case_idx" ON "containment_actions" ("tenant_id", "case_id", "created_at")`);
    await q.query(
      `CREATE TABLE "enrichment_cache" ("tenant_id" uuid NOT NULL, "action" text NOT NULL, "input_hash" text NOT NULL, "output" jsonb, "pending_until" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_3515b3b50134329af0859af4bb5" PRIMARY KEY ("tenant_id", "action", "input_hash"))`,
    );
    await q.query(`CREATE INDEX "enrichment_cache_expires_idx" ON "enrichment_cache" ("expires_at")`);
    await q.query(
      `CREATE TABLE "integration_rate_buckets" ("tenant_id" uuid NOT NULL, "vendor" text NOT NULL, "tokens" double precision NOT NULL, "refilled_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_ecc81de0f6f76419dea593303a3" PRIMARY KEY ("tenant_id", "vendor"))`,
    );
    await q.query(
      `CREATE TABLE "integration_leases" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "vendor" text NOT NULL, "holder" text NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_fc2d3e130b1928fff6de1afd8fa" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "integration_leases_vendor_idx" ON "integration_leases" ("tenant_id", "vendor")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "integration_leases"`);
    await q.query(`DROP TABLE "integration_rate_buckets"`);
    await q.query(`DROP TABLE "enrichment_cache"`);
    await q.query(`DROP TABLE "containment_actions"`);
    await q.query(`DROP TABLE "protected_assets"`);
    await q.query(`DROP TABLE "integration_connections"`);
  }
}
