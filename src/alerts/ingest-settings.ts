import { z } from 'zod';
import { ALERT_SOURCES, type AlertSource } from '../common/canonical-alert.js';
import { DEFAULT_CORRELATION, FINGERPRINT_FIELDS, type CorrelationSettings } from './correlation.js';

/**
 * A tenant's ingest settings, stored under `tenants.settings.ingest`, and its correlation settings,
 * under `tenants.settings.correlation`. The HMAC secret is stored as given and never leaves the
 * server: views say only whether one is set.
 */

export const DEFAULT_SIGNATURE_HEADER = 'X-Vigil-Signature';
export const DEFAULT_TIMESTAMP_HEADER = 'X-Vigil-Timestamp';
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** An HTTP header name (RFC 9110 token). */
const headerName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'an HTTP header name');

const sourceHeaders = z.strictObject({
  signatureHeader: headerName.optional(),
  timestampHeader: headerName.optional(),
});

export const hmacSettingsBody = z.strictObject({
  required: z
    .boolean()
    .meta({ description: 'Refuse every delivery without a valid signature (401 invalid_signature). When false and a secret is set, signed deliveries are still verified.' }),
  secret: z
    .string()
    .min(16, 'at least 16 characters')
    .max(512)
    .nullable()
    .optional()
    .meta({ description: 'Write-only. Omit to keep the stored secret; null removes it. Never returned.' }),
  signatureHeader: headerName.default(DEFAULT_SIGNATURE_HEADER).meta({ description: 'Header carrying `sha256=<hex>` of HMAC-SHA256 over `<timestamp>.<raw body>`.' }),
  timestampHeader: headerName.default(DEFAULT_TIMESTAMP_HEADER).meta({ description: 'Header carrying the signing time in epoch seconds.' }),
  toleranceSeconds: z
    .number()
    .int()
    .min(1)
    .max(86_400)
    .default(DEFAULT_TOLERANCE_SECONDS)
    .meta({ description: 'Largest accepted distance between the timestamp and now, against replays.' }),
  perSource: z
    .partialRecord(z.enum(ALERT_SOURCES), sourceHeaders)
    .default({})
    .meta({ description: 'Header names for `POST /api/v1/alerts/{source}` where a source differs from the defaults.' }),
});

export const ingestSettingsBody = z.strictObject({ hmac: hmacSettingsBody });
export type IngestSettingsBody = z.output<typeof ingestSettingsBody>;

export const ingestSettingsView = z.object({
  hmac: z.object({
    required: z.boolean(),
    secretSet: z.boolean().meta({ description: 'Whether a secret is stored; the secret itself is never returned.' }),
    signatureHeader: z.string(),
    timestampHeader: z.string(),
    toleranceSeconds: z.number().int(),
    perSource: z.partialRecord(z.enum(ALERT_SOURCES), z.object({ signatureHeader: z.string().optional(), timestampHeader: z.string().optional() })),
  }),
  limits: z
    .object({ maxBodyBytes: z.number().int(), maxBatchAlerts: z.number().int() })
    .meta({ description: 'Deployment-wide limits (environment variables VIGIL_MAX_BODY_BYTES and VIGIL_MAX_BATCH_ALERTS); read-only.' }),
});
export type IngestSettingsView = z.output<typeof ingestSettingsView>;

const fingerprintField = z.enum(FINGERPRINT_FIELDS);

export const correlationSettingsBody = z.strictObject({
  windowMinutes: z
    .number()
    .int()
    .min(1)
    .max(43_200)
    .meta({ description: 'An alert joins an open case with the same fingerprint whose last alert is at most this old (1 minute to 30 days).' }),
  fields: z
    .array(fingerprintField)
    .min(1)
    .refine((f) => new Set(f).size === f.length, 'each field once')
    .meta({ description: 'What the fingerprint is made of. `host` and `user` together mean "the main host, or else the user".' }),
});
export type CorrelationSettingsBody = z.output<typeof correlationSettingsBody>;

export const correlationSettingsView = correlationSettingsBody.extend({
  defaults: z.object({ windowMinutes: z.number().int(), fields: z.array(fingerprintField) }),
});
export type CorrelationSettingsView = z.output<typeof correlationSettingsView>;

/** What ingest needs to verify a delivery; `undefined` when the tenant has no HMAC set up. */
export interface HmacPolicy {
  required: boolean;
  secret: string | undefined;
  signatureHeader: string;
  timestampHeader: string;
  toleranceSeconds: number;
  perSource: Partial<Record<AlertSource, { signatureHeader?: string; timestampHeader?: string }>>;
}

/** The stored shape, read leniently: anything missing or malformed falls back to the defaults. */
export function hmacPolicyOf(tenantSettings: Record<string, unknown>): HmacPolicy {
  const ingest = tenantSettings['ingest'];
  const raw = ingest && typeof ingest === 'object' ? (ingest as Record<string, unknown>)['hmac'] : undefined;
  const h = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const str = (v: unknown, fallback: string): string => (typeof v === 'string' && v.length > 0 ? v : fallback);
  const perSource: HmacPolicy['perSource'] = {};
  if (h['perSource'] && typeof h['perSource'] === 'object') {
    for (const [source, value] of Object.entries(h['perSource'] as Record<string, unknown>)) {
      if (!(ALERT_SOURCES as readonly string[]).includes(source) || !value || typeof value !== 'object') continue;
      const v = value as Record<string, unknown>;
      perSource[source as AlertSource] = {
        ...(typeof v['signatureHeader'] === 'string' ? { signatureHeader: v['signatureHeader'] } : {}),
        ...(typeof v['timestampHeader'] === 'string' ? { timestampHeader: v['timestampHeader'] } : {}),
      };
    }
  }
  const tolerance = h['toleranceSeconds'];
  return {
    required: h['required'] === true,
    secret: typeof h['secret'] === 'string' && h['secret'].length > 0 ? h['secret'] : undefined,
    signatureHeader: str(h['signatureHeader'], DEFAULT_SIGNATURE_HEADER),
    timestampHeader: str(h['timestampHeader'], DEFAULT_TIMESTAMP_HEADER),
    toleranceSeconds: typeof tolerance === 'number' && tolerance > 0 ? tolerance : DEFAULT_TOLERANCE_SECONDS,
    perSource,
  };
}

/** Header names for one route: the source's own where set, else the tenant's defaults. */
export function headersFor(policy: HmacPolicy, source: AlertSource | 'auto'): { signatureHeader: string; timestampHeader: string } {
  const own = source === 'auto' ? undefined : policy.perSource[source];
  return { signatureHeader: own?.signatureHeader ?? policy.signatureHeader, timestampHeader: own?.timestampHeader ?? policy.timestampHeader };
}

export function ingestView(policy: HmacPolicy, limits: IngestSettingsView['limits']): IngestSettingsView {
  return {
    hmac: {
      required: policy.required,
      secretSet: policy.secret !== undefined,
      signatureHeader: policy.signatureHeader,
      timestampHeader: policy.timestampHeader,
      toleranceSeconds: policy.toleranceSeconds,
      perSource: policy.perSource,
    },
    limits,
  };
}

export function correlationView(settings: CorrelationSettings): CorrelationSettingsView {
  return {
    windowMinutes: settings.windowMinutes,
    fields: [...settings.fields],
    defaults: { windowMinutes: DEFAULT_CORRELATION.windowMinutes, fields: [...DEFAULT_CORRELATION.fields] },
  };
}
