import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '../persistence/query-rows.js';
import type { SafetySettings } from './connection-settings.js';

export type LimitDecision = { ok: true; leaseId: string } | { ok: false; reason: 'rate_limited' | 'concurrency_limited'; retryAfterMs: number };

/** Retries of a call refused for concurrency come back after about this long (spread so they do not return together). */
const CONCURRENCY_RETRY_MS = 500;

/**
 * The per-tenant, per-vendor rate limit (a token bucket) and concurrency cap (leases), kept in
 * PostgreSQL so every worker of the deployment counts against the same numbers. A refused call is
 * told how long to wait; the caller fails its attempt and Temporal retries it then, so no worker
 * sits in a loop waiting for a slot.
 */
@Injectable()
export class IntegrationLimiter {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Takes a concurrency slot, then a rate token; release the lease when the call is over. */
  async acquire(tenantId: string, vendor: string, holder: string, safety: SafetySettings, leaseMs: number): Promise<LimitDecision> {
    const lease = await this.takeLease(tenantId, vendor, holder, safety.maxConcurrent, leaseMs);
    if (lease === null) return { ok: false, reason: 'concurrency_limited', retryAfterMs: CONCURRENCY_RETRY_MS + spread(holder, CONCURRENCY_RETRY_MS) };
    const wait = await this.takeToken(tenantId, vendor, safety.rateLimitBurst, safety.rateLimitPerMinute / 60);
    if (wait > 0) {
      await this.release(lease);
      return { ok: false, reason: 'rate_limited', retryAfterMs: wait };
    }
    return { ok: true, leaseId: lease };
  }

  async release(leaseId: string): Promise<void> {
    await this.db.query(`DELETE FROM integration_leases WHERE id = $1`, [leaseId]);
  }

  /** A lease id, or null when `max` calls are already in flight. Expired leases (their worker died) and the caller's own stale lease do not count. */
  private async takeLease(tenantId: string, vendor: string, holder: string, max: number, leaseMs: number): Promise<string | null> {
    return this.db.transaction(async (m) => {
      // Serialises lease-taking for this tenant and vendor across processes; held only for these statements.
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`vigil:lease:${tenantId}:${vendor}`]);
      await m.query(`DELETE FROM integration_leases WHERE tenant_id = $1 AND vendor = $2 AND (expires_at < clock_timestamp() OR holder = $3)`, [tenantId, vendor, holder]);
      const count = await queryRows<{ n: number }>(m, `SELECT count(*)::int AS n FROM integration_leases WHERE tenant_id = $1 AND vendor = $2`, [tenantId, vendor]);
      if ((count[0]?.n ?? 0) >= max) return null;
      const rows = await queryRows<{ id: string }>(
        m,
        `INSERT INTO integration_leases (tenant_id, vendor, holder, expires_at) VALUES ($1, $2, $3, clock_timestamp() + make_interval(secs => $4)) RETURNING id`,
        [tenantId, vendor, holder, leaseMs / 1000],
      );
      return rows[0]!.id;
    });
  }

  /**
   * Takes one token from the bucket (refilled at `perSecond`, holding at most `burst`); returns 0
   * when granted, else the milliseconds until a token is there. The UPDATE re-checks its condition
   * on the latest row version, so concurrent takers never overdraw the bucket.
   */
  private async takeToken(tenantId: string, vendor: string, burst: number, perSecond: number): Promise<number> {
    const available = `LEAST($3::float8, tokens + GREATEST(0, EXTRACT(EPOCH FROM clock_timestamp() - refilled_at)) * $4::float8)`;
    for (let i = 0; i < 3; i += 1) {
      const taken = await queryRows<{ tokens: number }>(
        this.db,
        `UPDATE integration_rate_buckets SET tokens = ${available} - 1, refilled_at = clock_timestamp()
         WHERE tenant_id = $1 AND vendor = $2 AND ${available} >= 1 RETURNING tokens`,
        [tenantId, vendor, burst, perSecond],
      );
      if (taken.length > 0) return 0;
      const current = await queryRows<{ available: number }>(this.db, `SELECT ${available} AS available FROM integration_rate_buckets WHERE tenant_id = $1 AND vendor = $2`, [
        tenantId,
        vendor,
        burst,
        perSecond,
      ]);
      if (current[0]) return Math.max(1, Math.ceil(((1 - current[0].available) / perSecond) * 1000));
      const created = await queryRows<{ tokens: number }>(
        this.db,
        `INSERT INTO integration_rate_buckets (tenant_id, vendor, tokens, refilled_at) VALUES ($1, $2, $3, clock_timestamp())
         ON CONFLICT (tenant_id, vendor) DO NOTHING RETURNING tokens`,
        [tenantId, vendor, burst - 1],
      );
      if (created.length > 0) return 0;
    }
    return Math.ceil(1000 / perSecond);
  }
}

/** A stable spread in [0, range) from the holder, so refused calls do not all come back at the same instant. */
function spread(holder: string, range: number): number {
  let h = 0;
  for (let i = 0; i < holder.length; i += 1) h = (h * 31 + holder.charCodeAt(i)) >>> 0;
  return h % range;
}
