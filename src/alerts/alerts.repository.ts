import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { alertAddedInsert } from '../outbox/index.js';
import type { AlertSource, CanonicalAlert } from '../common/canonical-alert.js';

/** Statuses of a case that no longer takes alerts (a merged case is closed by the merge). */
const FINISHED = `('resolved', 'closed', 'false_positive')`;
/** A re-sent alert keeps this many of its latest changes. */
const MAX_CHANGES = 20;

/** A 64-bit advisory lock key from text, as a decimal string Postgres reads as bigint. */
function lockKey(text: string): bigint {
  return createHash('sha256').update(text).digest().readBigInt64BE(0);
}

const LOCK_SQL = 'SELECT count(pg_advisory_xact_lock(k)) FROM unnest($1::bigint[]) AS k';

/**
 * One alert in one statement (prepared once per connection): update it when the source sent it before
 * (and raise its case's severity), else join the newest open case with the same fingerprint seen within
 * the window, else create a case; insert the alert with the reason it joined, and the outbox row that
 * hands it to the case workflow. Runs after the advisory locks on its uid and fingerprint, so its
 * snapshot already sees whatever a concurrent delivery of the same alert or fingerprint committed.
 */
export const ALERT_SQL = `
WITH f AS (SELECT $9::jsonb AS finding),
prev AS (
  SELECT id, case_id, finding FROM alerts WHERE tenant_id = $1 AND source = $2 AND source_uid = $3
),
upd AS (
  UPDATE alerts a SET count = a.count + 1, last_seen_at = now(), finding = f.finding, raw = $10::json, severity_id = $5, title = $7, event_time = $8
  FROM prev, f WHERE a.id = prev.id
  RETURNING a.id, a.case_id, a.count, prev.finding AS previous
),
upd_case AS (
  UPDATE cases c SET severity_id = GREATEST(c.severity_id, $6), last_alert_at = now(), updated_at = now()
  FROM upd WHERE c.tenant_id = $1 AND c.id = upd.case_id
  RETURNING c.id
),
open_case AS (
  SELECT id FROM cases
  WHERE tenant_id = $1 AND fingerprint = $4 AND status NOT IN ${FINISHED} AND merged_into IS NULL
    AND last_alert_at >= now() - make_interval(mins => $11) AND NOT EXISTS (SELECT 1 FROM prev)
  ORDER BY last_alert_at DESC LIMIT 1
),
joined AS (
  UPDATE cases c SET alert_count = c.alert_count + 1, last_alert_at = now(), updated_at = now(), severity_id = GREATEST(c.severity_id, $6)
  FROM open_case o WHERE c.id = o.id AND c.status NOT IN ${FINISHED} AND c.merged_into IS NULL
  RETURNING c.id, c.playbook_id, c.playbook_hash, false AS created
),
created AS (
  INSERT INTO cases (id, tenant_id, title, status, severity_id, fingerprint, source, alert_count, playbook_id, playbook_version, playbook_hash, run_status, workflow_id, last_alert_at, task_queue)
  SELECT $12, $1, $7, 'new', $6, $4, $2, 1, $13, $14, $15, $16, $17, now(), $19
  WHERE NOT EXISTS (SELECT 1 FROM prev) AND NOT EXISTS (SELECT 1 FROM open_case)
  RETURNING id, playbook_id, playbook_hash, true AS created
),
target AS (SELECT * FROM joined UNION ALL SELECT * FROM created),
inserted AS (
  INSERT INTO alerts (tenant_id, case_id, source, source_uid, fingerprint, severity_id, title, event_time, finding, raw, first_seen_at, last_seen_at, join_reason)
  SELECT $1, t.id, $2, $3, $4, $5, $7, $8, f.finding, $10::json, now(), now(),
         $18::jsonb || jsonb_build_object('rule', CASE WHEN t.created THEN 'new_case' ELSE 'fingerprint' END)
  FROM target t, f
  RETURNING id, case_id
),
queued AS (
  ${alertAddedInsert({
    tenantId: '$1',
    caseId: 'i.case_id',
    taskQueue: '$19',
    payload: { alertId: 'i.id', severityId: '$6::int', playbookId: 't.playbook_id', playbookHash: 't.playbook_hash', finding: 'f.finding', postedBy: '$20::text' },
    from: 'FROM inserted i, target t, f WHERE t.playbook_id IS NOT NULL AND t.playbook_hash IS NOT NULL',
  })}
  RETURNING id
)
SELECT upd.id, upd.case_id, true AS duplicate, upd.count, upd.previous, NULL::boolean AS created, false AS queued FROM upd
UNION ALL
SELECT i.id, i.case_id, false, 1, NULL, t.created, EXISTS (SELECT 1 FROM queued) FROM inserted i, target t`;

const CHANGES_SQL = `
UPDATE alerts SET changes = (
  SELECT coalesce(jsonb_agg(e ORDER BY n), '[]'::jsonb)
  FROM jsonb_array_elements(jsonb_build_array($3::jsonb) || changes) WITH ORDINALITY AS x(e, n) WHERE n <= ${MAX_CHANGES}
) WHERE tenant_id = $1 AND id = $2`;

/** Why an alert joined its case, stored with the alert (the statement adds `rule`). */
export interface JoinReason {
  fingerprint: string;
  fields: string[];
  values: Record<string, string>;
  windowMinutes: number;
}

/** Everything one alert's statement needs; the decisions behind each field are the caller's. */
export interface AlertWrite {
  tenantId: string;
  source: AlertSource;
  alert: CanonicalAlert;
  /** The vendor's item as received. */
  raw: unknown;
  fingerprint: string;
  /** The severity the alert gives its case (and its outbox row). */
  caseSeverityId: number;
  eventTime: Date;
  windowMinutes: number;
  /** The id of the case to create, should the alert start one; with its workflow id and playbook. */
  newCase: { id: string; workflowId: string; runStatus: string; playbook: { id: string; version: string; hash: string } | null };
  joinReason: JoinReason;
  /** The outbox row goes to the relays of this task queue. */
  taskQueue: string;
  /** The poster's actor, carried by the outbox row into the case run (which refuses their approval). */
  postedBy: string;
}

export interface AlertWritten {
  id: string;
  caseId: string;
  /** The source had sent this alert before: it was updated, and `previous` is its finding before. */
  duplicate: boolean;
  /** How often the source sent it, this time included. */
  count: number;
  previous: unknown;
  /** For a new alert: it started its case (else it joined an open one); null for a duplicate. */
  created: boolean | null;
  /** An outbox row was written (the case has a playbook to run). */
  queued: boolean;
}

/** One change of a re-sent alert, newest first in the alert's `changes`. */
export interface AlertChange {
  at: string;
  count: number;
  fields: string[];
}

/** The writes of one ingest transaction, all on its connection. */
export interface IngestTransaction {
  /** Advisory locks (until the transaction ends) on each name, taken in one sorted order so concurrent batches never deadlock. */
  lock(names: Iterable<string>): Promise<void>;
  /** Writes one alert (see ALERT_SQL); undefined when nothing was written because the open case it found changed under it. */
  writeAlert(input: AlertWrite): Promise<AlertWritten | undefined>;
  recordChange(tenantId: string, alertId: string, change: AlertChange): Promise<void>;
}

interface AlertRow {
  id: string;
  case_id: string;
  duplicate: boolean;
  count: number;
  previous: unknown;
  created: boolean | null;
  queued: boolean;
}

class PgIngestTransaction implements IngestTransaction {
  constructor(private readonly client: pg.PoolClient) {}

  async lock(names: Iterable<string>): Promise<void> {
    const keys = new Set<bigint>();
    for (const name of names) keys.add(lockKey(name));
    const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String);
    await this.client.query({ name: 'vigil_ingest_lock', text: LOCK_SQL, values: [sorted] });
  }

  async writeAlert(w: AlertWrite): Promise<AlertWritten | undefined> {
    const values = [
      w.tenantId,
      w.source,
      w.alert.finding_info.uid,
      w.fingerprint,
      w.alert.severity_id,
      w.caseSeverityId,
      w.alert.finding_info.title,
      w.eventTime,
      JSON.stringify(w.alert),
      JSON.stringify(w.raw ?? null),
      w.windowMinutes,
      w.newCase.id,
      w.newCase.playbook?.id ?? null,
      w.newCase.playbook?.version ?? null,
      w.newCase.playbook?.hash ?? null,
      w.newCase.runStatus,
      w.newCase.workflowId,
      JSON.stringify(w.joinReason),
      w.taskQueue,
      w.postedBy,
    ];
    const result = await this.client.query<AlertRow>({ name: 'vigil_ingest_alert', text: ALERT_SQL, values });
    const row = result.rows[0];
    if (!row) return undefined;
    return { id: row.id, caseId: row.case_id, duplicate: row.duplicate, count: row.count, previous: row.previous, created: row.created, queued: row.queued };
  }

  async recordChange(tenantId: string, alertId: string, change: AlertChange): Promise<void> {
    await this.client.query({ name: 'vigil_ingest_changes', text: CHANGES_SQL, values: [tenantId, alertId, JSON.stringify(change)] });
  }
}

/**
 * The SQL of ingest. A transaction runs on the pool's own connection, for named (prepared) statements:
 * the big statement is planned once per connection. A delivery of one alert costs four round trips
 * (BEGIN, the advisory locks, one statement, COMMIT).
 */
@Injectable()
export class AlertsRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async transaction<T>(work: (tx: IngestTransaction) => Promise<T>): Promise<T> {
    const runner = this.db.createQueryRunner();
    const client = (await runner.connect()) as pg.PoolClient;
    try {
      await client.query('BEGIN');
      const result = await work(new PgIngestTransaction(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }
}
