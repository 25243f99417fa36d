import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { type CacheKey, EnrichmentCacheRepository } from './enrichment-cache.repository.js';

/** JSON with object keys sorted at every level: equal inputs give equal text whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function inputHash(input: unknown): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex');
}

export interface CachedLookup<T> {
  output: T;
  /** True when the output came from the cache (no vendor call was made for this request). */
  cached: boolean;
}

/** How often a worker looks again while another worker's lookup of the same value is in flight. */
const FOLLOW_POLL_MS = 100;
/** Expired rows are swept after this many writes. */
const SWEEP_EVERY = 500;

/**
 * The enrichment cache: results per tenant, action and canonical input, shared by every worker
 * through PostgreSQL. One lookup per value is in flight at a time: callers in the same process
 * share it, a caller in another process finds the row claimed and waits for its result. Failures
 * are not cached.
 */
@Injectable()
export class EnrichmentCache {
  private readonly inFlight = new Map<string, Promise<CachedLookup<unknown>>>();
  private writes = 0;

  constructor(@Inject(EnrichmentCacheRepository) private readonly repository: EnrichmentCacheRepository) {}

  /** The cached output when fresh, else `compute()` (once, deployment-wide) and remember it for `ttlSeconds`. */
  async getOrCompute<T>(tenantId: string, action: string, input: unknown, ttlSeconds: number, claimMs: number, compute: () => Promise<T>): Promise<CachedLookup<T>> {
    if (ttlSeconds <= 0) return { output: await compute(), cached: false };
    const hash = inputHash(input);
    const key = `${tenantId}\u0000${action}\u0000${hash}`;
    const running = this.inFlight.get(key);
    if (running) return { output: (await running).output as T, cached: true };
    const flight = this.lookup(tenantId, action, hash, ttlSeconds, claimMs, compute);
    this.inFlight.set(key, flight);
    try {
      return (await flight) as CachedLookup<T>;
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async lookup<T>(tenantId: string, action: string, hash: string, ttlSeconds: number, claimMs: number, compute: () => Promise<T>): Promise<CachedLookup<T>> {
    const key: CacheKey = { tenantId, action, inputHash: hash };
    const deadline = Date.now() + claimMs;
    for (;;) {
      const fresh = await this.repository.fresh<T>(key);
      if (fresh) return { output: fresh.output, cached: true };
      if (await this.repository.claim(key, claimMs)) return { output: await this.computeAndStore(key, ttlSeconds, compute), cached: false };
      // Another worker is looking this value up: wait for its result, or take over if it gave up.
      if (Date.now() > deadline) return { output: await compute(), cached: false };
      await sleep(FOLLOW_POLL_MS);
    }
  }

  private async computeAndStore<T>(key: CacheKey, ttlSeconds: number, compute: () => Promise<T>): Promise<T> {
    let output: T;
    try {
      output = await compute();
    } catch (error) {
      await this.repository.releaseClaim(key).catch(() => undefined);
      throw error;
    }
    await this.repository.store(key, output, ttlSeconds);
    this.writes += 1;
    if (this.writes % SWEEP_EVERY === 0) await this.repository.sweep().catch(() => undefined);
    return output;
  }
}
