import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * alerts.observables: Vigil's view of a finding's observables (with `kind` and `is_private`), kept
 * beside the finding so the finding itself can stay pure OCSF. Existing rows are back-filled from
 * their finding, whose observables carried those two attributes inline; the finding's observables
 * then lose them (OCSF defines neither).
 */
export class AlertObservables1764800000000 implements MigrationInterface {
  name = 'AlertObservables1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "alerts" ADD "observables" jsonb NOT NULL DEFAULT '[]'`);
    await q.query(`
      UPDATE "alerts" SET
        "observables" = "finding"->'observables',
        "finding" = jsonb_set("finding", '{observables}', (
          SELECT coalesce(jsonb_agg(o - 'kind' - 'is_private' ORDER BY n), '[]'::jsonb)
          FROM jsonb_array_elements("finding"->'observables') WITH ORDINALITY AS x(o, n)
        ))
      WHERE jsonb_typeof("finding"->'observables') = 'array'`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Put Vigil's attributes back into the finding's observables, matched by position as the back-fill left them.
    await q.query(`
      UPDATE "alerts" SET "finding" = jsonb_set("finding", '{observables}', "observables")
      WHERE jsonb_typeof("finding"->'observables') = 'array' AND jsonb_array_length("observables") > 0`);
    await q.query(`ALTER TABLE "alerts" DROP COLUMN "observables"`);
  }
}
