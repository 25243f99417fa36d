import { z } from 'zod';

/**
 * Vigil's own safety settings, read from a connection's `settings` beside the vendor's (adapters
 * ignore keys they do not know). Every worker applies them through PostgreSQL, so the limits hold
 * across the whole deployment, not per process.
 */
export interface SafetySettings {
  /** Vendor calls per minute for this tenant and vendor (a token bucket refilled continuously). */
  rateLimitPerMinute: number;
  /** Calls that may go out back to back before the per-minute rate applies. */
  rateLimitBurst: number;
  /** Vendor calls in flight at once for this tenant and vendor. */
  maxConcurrent: number;
  /** How long an enrichment result is reused for the same input; 0 turns the cache off. */
  cacheTtlSeconds: number;
}

export const DEFAULT_SAFETY: Readonly<SafetySettings> = Object.freeze({
  rateLimitPerMinute: 600,
  rateLimitBurst: 20,
  maxConcurrent: 10,
  cacheTtlSeconds: 15 * 60,
});

/** The safety keys a connection's settings may carry, checked when a connection is written. */
export const safetySettingsShape = {
  rateLimitPerMinute: z
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .optional()
    .meta({ description: `Vendor calls per minute for this tenant (default ${DEFAULT_SAFETY.rateLimitPerMinute}).` }),
  rateLimitBurst: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .optional()
    .meta({ description: `Calls allowed back to back before the rate applies (default ${DEFAULT_SAFETY.rateLimitBurst}).` }),
  maxConcurrent: z
    .number()
    .int()
    .min(1)
    .max(1_000)
    .optional()
    .meta({ description: `Calls in flight at once (default ${DEFAULT_SAFETY.maxConcurrent}).` }),
  cacheTtlSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600)
    .optional()
    .meta({ description: `Enrichment cache lifetime in seconds; 0 disables it (default ${DEFAULT_SAFETY.cacheTtlSeconds}).` }),
};

function positiveInt(value: unknown, fallback: number, min: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min ? value : fallback;
}

/** The safety settings of a connection, defaults for anything missing or malformed. */
export function safetySettingsOf(settings: Readonly<Record<string, unknown>>): SafetySettings {
  return {
    rateLimitPerMinute: positiveInt(settings['rateLimitPerMinute'], DEFAULT_SAFETY.rateLimitPerMinute, 1),
    rateLimitBurst: positiveInt(settings['rateLimitBurst'], DEFAULT_SAFETY.rateLimitBurst, 1),
    maxConcurrent: positiveInt(settings['maxConcurrent'], DEFAULT_SAFETY.maxConcurrent, 1),
    cacheTtlSeconds: positiveInt(settings['cacheTtlSeconds'], DEFAULT_SAFETY.cacheTtlSeconds, 0),
  };
}
