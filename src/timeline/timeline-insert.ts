import type { EntityManager } from 'typeorm';

/**
 * The timeline's INSERT, on its own so that the case lifecycle (which writes a line with each status
 * change) and the timeline repository (which makes those status changes with a run's lines) both
 * build on it without importing each other.
 */
export interface NewCaseEvent {
  tenantId: string;
  caseId: string;
  actor: string;
  kind: string;
  message: string;
  stepId?: string | null;
  data?: Record<string, unknown>;
  /** When set, a second write with the same key is ignored (retried or replayed activities). */
  dedupKey?: string | null;
  at?: Date;
}

/**
 * `INSERT … ON CONFLICT DO NOTHING` of `events` into case_events, idempotent on each `dedupKey`; its
 * placeholders are numbered after `params`'s current length, and their values appended to it. A line
 * without `at` is stamped with the clock.
 */
export function caseEventInsert(events: readonly NewCaseEvent[], params: unknown[]): string {
  const values: string[] = [];
  for (const e of events) {
    const n = params.length;
    values.push(`($${n + 1}::uuid, $${n + 2}::uuid, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6}, $${n + 7}::jsonb, $${n + 8}, COALESCE($${n + 9}::timestamptz, clock_timestamp()))`);
    params.push(e.tenantId, e.caseId, e.actor, e.kind, e.message, e.stepId ?? null, JSON.stringify(e.data ?? {}), e.dedupKey ?? null, e.at ?? null);
  }
  return `INSERT INTO case_events (tenant_id, case_id, actor, kind, message, step_id, data, dedup_key, at) VALUES ${values.join(', ')} ON CONFLICT (tenant_id, dedup_key) DO NOTHING`;
}

/** Appends a timeline line (stamped with the clock, not the transaction start, so lines of one transaction keep their order) in the caller's transaction; idempotent on `dedupKey`. Returns false when it already existed. */
export async function appendCaseEvent(manager: EntityManager, e: NewCaseEvent): Promise<boolean> {
  const params: unknown[] = [];
  const rows: unknown[] = await manager.query(`${caseEventInsert([e], params)} RETURNING id`, params);
  return rows.length > 0;
}

/**
 * Appends several timeline lines in one statement (one round trip), idempotent on each `dedupKey`.
 * Runs in the caller's transaction when `manager` is a transaction's, on its own otherwise.
 */
export async function appendCaseEvents(manager: EntityManager, events: readonly NewCaseEvent[]): Promise<void> {
  if (events.length === 0) return;
  const params: unknown[] = [];
  await manager.query(caseEventInsert(events, params), params);
}
