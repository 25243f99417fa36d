import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { DataSource } from 'typeorm';
import { AlertObservables1764800000000 } from '../../src/persistence/migrations/1764800000000-alert-observables.js';
import { createTestTenant, openTestDatabase } from '../support/database.js';

/**
 * Migration 1764800000000 on the real PostgreSQL: an alert row written before it (Vigil's `kind` and
 * `is_private` inline in the finding's observables) gets its observables column from the finding, and
 * the finding keeps only OCSF's attributes. Runs down and up inside one transaction, rolled back.
 */
let db: DataSource;
let tenantId: string;

before(async () => {
  db = await openTestDatabase();
  tenantId = await createTestTenant(db);
});
after(async () => {
  await db?.destroy();
});

describe('migration 1764800000000: alerts.observables', () => {
  test("back-fills Vigil's observables from an old row's finding and leaves the finding pure OCSF; down puts them back", async () => {
    const migration = new AlertObservables1764800000000();
    const old = [
      { name: 'device.ip', type_id: 2, type: 'IP Address', value: '10.1.4.142', kind: 'ip', is_private: true },
      { name: 'unmapped.iocs[0]', type_id: 1, type: 'Hostname', value: 'evil.example', kind: 'domain' },
    ];
    const qr = db.createQueryRunner();
    await qr.connect();
    await qr.startTransaction();
    try {
      await migration.down(qr);
      const caseId = randomUUID();
      await qr.query(
        `INSERT INTO cases (id, tenant_id, title, status, severity_id, fingerprint, source, alert_count, run_status, workflow_id, last_alert_at)
         VALUES ($1, $2, 'old', 'new', 3, 'fp-old', 'generic', 1, 'none', $3, now())`,
        [caseId, tenantId, `case-${caseId}`],
      );
      const finding = { class_uid: 2004, severity_id: 3, finding_info: { uid: 'old-1', title: 'old' }, observables: old };
      await qr.query(
        `INSERT INTO alerts (tenant_id, case_id, source, source_uid, fingerprint, severity_id, title, event_time, finding, raw, first_seen_at, last_seen_at, join_reason)
         VALUES ($1, $2, 'generic', 'old-1', 'fp-old', 3, 'old', now(), $3, '{}', now(), now(), '{"rule":"new_case"}')`,
        [tenantId, caseId, JSON.stringify(finding)],
      );
      await migration.up(qr);
      const rows: Array<{ finding: { observables: unknown[] }; observables: unknown[] }> = await qr.query(
        `SELECT finding, observables FROM alerts WHERE tenant_id = $1 AND source_uid = 'old-1'`,
        [tenantId],
      );
      assert.deepEqual(rows[0]!.observables, old, "Vigil's view, as the finding carried it");
      assert.deepEqual(
        rows[0]!.finding.observables,
        old.map(({ name, type_id, type, value }) => ({ name, type_id, type, value })),
        'the finding keeps only OCSF attributes, in order',
      );
      await migration.down(qr);
      const back: Array<{ finding: { observables: unknown[] } }> = await qr.query(`SELECT finding FROM alerts WHERE tenant_id = $1 AND source_uid = 'old-1'`, [tenantId]);
      assert.deepEqual(back[0]!.finding.observables, old);
    } finally {
      await qr.rollbackTransaction();
      await qr.release();
    }
  });
});
