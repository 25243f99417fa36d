import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Outbox rows name their task queue; relays claim only their own queue's rows. */
export class OutboxTaskQueue1764700000000 implements MigrationInterface {
  name = 'OutboxTaskQueue1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "outbox" ADD "task_queue" text NOT NULL DEFAULT 'vigil'`);
    await q.query(`DROP INDEX "outbox_available_idx"`);
    await q.query(`CREATE INDEX "outbox_queue_available_idx" ON "outbox" ("task_queue", "available_at", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "outbox_queue_available_idx"`);
    await q.query(`CREATE INDEX "outbox_available_idx" ON "outbox" ("available_at", "id")`);
    await q.query(`ALTER TABLE "outbox" DROP COLUMN "task_queue"`);
  }
}
