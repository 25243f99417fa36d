import type { MigrationInterface, QueryRunner } from 'typeorm';

/** alerts.changes: what each re-send of an alert changed (newest first, bounded). */
export class AlertChanges1764500000000 implements MigrationInterface {
  name = 'AlertChanges1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "alerts" ADD "changes" jsonb NOT NULL DEFAULT '[]'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "alerts" DROP COLUMN "changes"`);
  }
}
