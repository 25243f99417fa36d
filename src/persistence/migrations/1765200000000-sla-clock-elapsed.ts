import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The working time each stopped SLA clock took, for the SLA figures' percentiles. */
export class SlaClockElapsed1765200000000 implements MigrationInterface {
  name = 'SlaClockElapsed1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "sla_clock_elapsed" ("clock_id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "stopped_at" TIMESTAMP WITH TIME ZONE NOT NULL, "elapsed_ms" bigint NOT NULL, CONSTRAINT "PK_24c753078365d24f6d48f727033" PRIMARY KEY ("clock_id"))`,
    );
    await q.query(`CREATE INDEX "sla_clock_elapsed_tenant_idx" ON "sla_clock_elapsed" ("tenant_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "sla_clock_elapsed"`);
  }
}
