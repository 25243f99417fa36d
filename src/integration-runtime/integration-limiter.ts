import { Inject, Injectable } from '@nestjs/common';
import type { SafetySettings } from './connection-settings.js';
import { IntegrationLimiterRepository } from './integration-limiter.repository.js';

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
  constructor(@Inject(IntegrationLimiterRepository) private readonly repository: IntegrationLimiterRepository) {}

  /** Takes a concurrency slot, then a rate token; release the lease when the call is over. */
  async acquire(tenantId: string, vendor: string, holder: string, safety: SafetySettings, leaseMs: number): Promise<LimitDecision> {
    const lease = await this.repository.takeLease(tenantId, vendor, holder, safety.maxConcurrent, leaseMs);
    if (lease === null) return { ok: false, reason: 'concurrency_limited', retryAfterMs: CONCURRENCY_RETRY_MS + spread(holder, CONCURRENCY_RETRY_MS) };
    const wait = await this.takeToken(tenantId, vendor, safety.rateLimitBurst, safety.rateLimitPerMinute / 60);
    if (wait > 0) {
      await this.release(lease);
      return { ok: false, reason: 'rate_limited', retryAfterMs: wait };
    }
    return { ok: true, leaseId: lease };
  }

  async release(leaseId: string): Promise<void> {
    await this.repository.releaseLease(leaseId);
  }

  /**
   * Takes one token from the bucket (refilled at `perSecond`, holding at most `burst`); returns 0
   * when granted, else the milliseconds until a token is there.
   */
  private async takeToken(tenantId: string, vendor: string, burst: number, perSecond: number): Promise<number> {
    for (let i = 0; i < 3; i += 1) {
      if (await this.repository.takeToken(tenantId, vendor, burst, perSecond)) return 0;
      const available = await this.repository.availableTokens(tenantId, vendor, burst, perSecond);
      if (available !== undefined) return Math.max(1, Math.ceil(((1 - available) / perSecond) * 1000));
      if (await this.repository.createBucket(tenantId, vendor, burst - 1)) return 0;
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
