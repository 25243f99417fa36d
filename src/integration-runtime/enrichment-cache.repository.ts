import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '../persistence/query-rows.js';

/** One cached lookup: the tenant, the action and the hash of its canonical input. */
export interface CacheKey {
  tenantId: string;
  action: string;
  inputHash: string;
}

/** The enrichment cache's rows (`enrichment_cache`): results, and claims on lookups in flight. */
@Injectable()
export class EnrichmentCacheRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** The output when a fresh one is stored. */
  async fresh<T>(key: CacheKey): Promise<{ output: T } | undefined> {
    const rows = await queryRows<{ output: T }>(
      this.db,
      `SELECT output FROM enrichment_cache WHERE tenant_id = $1 AND action = $2 AND input_hash = $3 AND output IS NOT NULL AND expires_at > clock_timestamp()`,
      params(key),
    );
    return rows[0];
  }

  /** Claims the lookup for `claimMs`: a new row, or one whose value expired and that nobody is refreshing. False when another worker holds it. */
  async claim(key: CacheKey, claimMs: number): Promise<boolean> {
    const claimed = await queryRows<{ claimed: boolean }>(
      this.db,
      `INSERT INTO enrichment_cache (tenant_id, action, input_hash, output, pending_until, expires_at)
       VALUES ($1, $2, $3, NULL, clock_timestamp() + make_interval(secs => $4), clock_timestamp())
       ON CONFLICT (tenant_id, action, input_hash) DO UPDATE SET pending_until = EXCLUDED.pending_until
         WHERE (enrichment_cache.output IS NULL OR enrichment_cache.expires_at <= clock_timestamp())
           AND (enrichment_cache.pending_until IS NULL OR enrichment_cache.pending_until < clock_timestamp())
       RETURNING true AS claimed`,
      [...params(key), claimMs / 1000],
    );
    return claimed.length > 0;
  }

  /** Gives a claim up (the lookup failed): another caller may try at once. */
  async releaseClaim(key: CacheKey): Promise<void> {
    await this.db.query(`UPDATE enrichment_cache SET pending_until = NULL WHERE tenant_id = $1 AND action = $2 AND input_hash = $3`, params(key));
  }

  /** Stores the output for `ttlSeconds` and ends the claim. */
  async store(key: CacheKey, output: unknown, ttlSeconds: number): Promise<void> {
    await this.db.query(
      `UPDATE enrichment_cache SET output = $4, pending_until = NULL, created_at = clock_timestamp(), expires_at = clock_timestamp() + make_interval(secs => $5)
       WHERE tenant_id = $1 AND action = $2 AND input_hash = $3`,
      [...params(key), JSON.stringify(output ?? null), ttlSeconds],
    );
  }

  /** Deletes up to 1000 rows expired over an hour ago. */
  async sweep(): Promise<void> {
    await this.db.query(
      `DELETE FROM enrichment_cache WHERE ctid IN (SELECT ctid FROM enrichment_cache WHERE expires_at < clock_timestamp() - interval '1 hour' AND pending_until IS NULL LIMIT 1000)`,
    );
  }
}

function params(key: CacheKey): unknown[] {
  return [key.tenantId, key.action, key.inputHash];
}
