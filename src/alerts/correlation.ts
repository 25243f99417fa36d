import { createHash } from 'node:crypto';
import type { CanonicalAlert } from '../common/canonical-alert.js';

/** Fields an alert's correlation fingerprint may be built from. */
export const FINGERPRINT_FIELDS = ['source', 'rule', 'host', 'user', 'title'] as const;
export type FingerprintField = (typeof FINGERPRINT_FIELDS)[number];

export interface CorrelationSettings {
  /** An alert joins an open case whose last alert is at most this old. */
  windowMinutes: number;
  /** `host` and `user` both listed mean "the main host, or else the user". */
  fields: FingerprintField[];
}

export const DEFAULT_CORRELATION: CorrelationSettings = { windowMinutes: 60, fields: ['source', 'rule', 'host', 'user'] };

export interface Fingerprint {
  value: string;
  /** The field values that made it, for the join reason an analyst reads. */
  parts: Record<string, string>;
}

function ruleOf(alert: CanonicalAlert): string {
  const analytic = alert.finding_info.analytic;
  return analytic?.uid ?? analytic?.name ?? alert.finding_info.title;
}

/** Tenant + source + rule (or title) + main host or user, as configured; the tenant is kept in its own column. */
export function fingerprintOf(alert: CanonicalAlert, source: string, settings: CorrelationSettings): Fingerprint {
  const parts: Record<string, string> = {};
  const fields = new Set(settings.fields);
  if (fields.has('source')) parts['source'] = source;
  if (fields.has('rule')) parts['rule'] = ruleOf(alert);
  if (fields.has('title')) parts['title'] = alert.finding_info.title;
  const host = alert.device?.hostname ?? alert.device?.name ?? alert.device?.ip ?? alert.device?.uid;
  const user = alert.actor?.user?.name ?? alert.actor?.user?.email_addr ?? alert.actor?.user?.uid;
  if (fields.has('host') && fields.has('user')) {
    if (host) parts['host'] = host.toLowerCase();
    else if (user) parts['user'] = user.toLowerCase();
  } else if (fields.has('host') && host) {
    parts['host'] = host.toLowerCase();
  } else if (fields.has('user') && user) {
    parts['user'] = user.toLowerCase();
  }
  const canonical = JSON.stringify(
    Object.keys(parts)
      .sort()
      .map((k) => [k, parts[k]]),
  );
  return { value: createHash('sha256').update(canonical).digest('hex').slice(0, 32), parts };
}

/** Reads a tenant's correlation settings, falling back to the defaults for anything missing or malformed. */
export function correlationSettings(tenantSettings: Record<string, unknown>): CorrelationSettings {
  const raw = tenantSettings['correlation'];
  if (!raw || typeof raw !== 'object') return DEFAULT_CORRELATION;
  const c = raw as { windowMinutes?: unknown; fields?: unknown };
  const windowMinutes = typeof c.windowMinutes === 'number' && c.windowMinutes > 0 ? c.windowMinutes : DEFAULT_CORRELATION.windowMinutes;
  const fields = Array.isArray(c.fields)
    ? c.fields.filter((f): f is FingerprintField => (FINGERPRINT_FIELDS as readonly string[]).includes(f as string))
    : DEFAULT_CORRELATION.fields;
  return { windowMinutes, fields: fields.length > 0 ? fields : DEFAULT_CORRELATION.fields };
}
