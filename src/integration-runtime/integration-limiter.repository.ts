import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '../persistence/query-rows.js';

/** The tokens in a bucket now: what it held, refilled at `perSecond` since, at most `burst`. */
const AVAILABLE = `LEAST($3::float8, tokens + GREATEST(0, EXTRACT(EPOCH FROM clock_timestamp() - refilled_at)) * $4::float8)`;

/**
 * The limiter's rows: concurrency leases (`integration_leases`) and token buckets
 * (`integration_rate_buckets`) per tenant and vendor, shared by every worker of the deployment.
 */
@Injectable()
export class IntegrationLimiterRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** A lease id, or null when `max` calls are already in flight. Expired leases (their worker died) and the holder's own stale lease do not count. */
  async takeLease(tenantId: string, vendor: string, holder: string, max: number, leaseMs: number): Promise<string | null> {
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

  async releaseLease(leaseId: string): Promise<void> {
    await this.db.query(`DELETE FROM integration_leases WHERE id = $1`, [leaseId]);
  }

  /**
   * Takes one token from the bucket when one is there; false when the bucket is empty or missing.
   * The UPDATE re-checks its condition on the latest row version, so concurrent takers never overdraw it.
   */
  async takeToken(tenantId: string, vendor: string, burst: number, perSecond: number): Promise<boolean> {
    const taken = await queryRows<{ tokens: number }>(
      this.db,
      `UPDATE integration_rate_buckets SET tokens = ${AVAILABLE} - 1, refilled_at = clock_timestamp()
       WHERE tenant_id = $1 AND vendor = $2 AND ${AVAILABLE} >= 1 RETURNING tokens`,
      [tenantId, vendor, burst, perSecond],
    );
    return taken.length > 0;
  }

  /** The tokens in the bucket now, or undefined when it does not exist yet. */
  async availableTokens(tenantId: string, vendor: string, burst: number, perSecond: number): Promise<number | undefined> {
    const current = await queryRows<{ available: number }>(this.db, `SELECT ${AVAILABLE} AS available FROM integration_rate_buckets WHERE tenant_id = $1 AND vendor = $2`, [
      tenantId,
      vendor,
      burst,
      perSecond,
    ]);
    return current[0]?.available;
  }

  /** Creates the bucket holding `tokens`; false when another worker created it first. */
  async createBucket(tenantId: string, vendor: string, tokens: number): Promise<boolean> {
    const created = await queryRows<{ tokens: number }>(
      this.db,
      `INSERT INTO integration_rate_buckets (tenant_id, vendor, tokens, refilled_at) VALUES ($1, $2, $3, clock_timestamp())
       ON CONFLICT (tenant_id, vendor) DO NOTHING RETURNING tokens`,
      [tenantId, vendor, tokens],
    );
    return created.length > 0;
  }
}
