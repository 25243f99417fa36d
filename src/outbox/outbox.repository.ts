import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { queryRows } from '../persistence/query-rows.js';
import { ALERT_ADDED, type AlertOutboxPayload, type SLA_CLOCKS, type SlaClocksOutboxPayload } from './outbox-payload.js';

export interface AlertOutboxRow {
  id: string;
  tenant_id: string;
  case_id: string;
  kind: typeof ALERT_ADDED;
  attempts: number;
  payload: AlertOutboxPayload;
}

export interface SlaOutboxRow {
  id: string;
  tenant_id: string;
  case_id: string;
  kind: typeof SLA_CLOCKS;
  attempts: number;
  payload: SlaClocksOutboxPayload;
}

export type OutboxRow = AlertOutboxRow | SlaOutboxRow;

/** SQL expressions of one `alert_added` row, in the statement that embeds the insert. */
export interface AlertAddedSelect {
  tenantId: string;
  caseId: string;
  taskQueue: string;
  /** One SQL expression per payload field, so the row always has the payload's shape. */
  payload: Readonly<Record<keyof AlertOutboxPayload, string>>;
  /** FROM and WHERE of the SELECT that yields the rows. */
  from: string;
}

const PAYLOAD_FIELDS: ReadonlyArray<keyof AlertOutboxPayload> = ['alertId', 'severityId', 'playbookId', 'playbookHash', 'finding', 'postedBy'];

/**
 * `INSERT INTO outbox … SELECT …` of `alert_added` rows, to embed (as a CTE) in the statement that
 * writes the alert: the outbox row commits with the alert, without a round trip of its own.
 */
export function alertAddedInsert(s: AlertAddedSelect): string {
  const payload = PAYLOAD_FIELDS.map((k) => `'${k}', ${s.payload[k]}`).join(', ');
  return `INSERT INTO outbox (tenant_id, case_id, kind, task_queue, payload)
  SELECT ${s.tenantId}, ${s.caseId}, '${ALERT_ADDED}', ${s.taskQueue},
         jsonb_build_object(${payload})
  ${s.from}`;
}

/**
 * The relay's SQL: leases, deletes and retry times. These writes commit without waiting for the disk:
 * losing one in a crash only means a row is delivered again, which the workflow ignores. The alert and
 * its outbox row were committed durably by the ingest transaction.
 */
@Injectable()
export class OutboxRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Leases up to `limit` rows of `taskQueue` that are available (moves `available_at` past the lease), skipping rows another relay holds. */
  claim(taskQueue: string, limit: number, leaseSeconds: number): Promise<OutboxRow[]> {
    return this.bookkeeping((m) =>
      queryRows<OutboxRow>(
        m,
        `UPDATE outbox o SET available_at = now() + make_interval(secs => $2)
       FROM (SELECT id FROM outbox WHERE task_queue = $3 AND available_at <= now() ORDER BY available_at, id LIMIT $1 FOR UPDATE SKIP LOCKED) c
       WHERE o.id = c.id
       RETURNING o.id, o.tenant_id, o.case_id, o.kind, o.attempts, o.payload`,
        [limit, leaseSeconds, taskQueue],
      ),
    );
  }

  async delete(ids: readonly string[]): Promise<void> {
    await this.bookkeeping((m) => m.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [ids]));
  }

  /** Records a failed delivery and makes the rows available again after `delaySeconds`. */
  async retryLater(ids: readonly string[], attempts: number, error: string, delaySeconds: number): Promise<void> {
    await this.bookkeeping((m) =>
      m.query(`UPDATE outbox SET attempts = $2, last_error = $3, available_at = now() + make_interval(secs => $4) WHERE id = ANY($1::bigint[])`, [
        ids,
        attempts,
        error,
        delaySeconds,
      ]),
    );
  }

  private bookkeeping<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(async (m) => {
      await m.query('SET LOCAL synchronous_commit = off');
      return fn(m);
    });
  }
}
