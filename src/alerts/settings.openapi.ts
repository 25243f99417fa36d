import type { RouteDoc } from '../common/http/route-doc.js';
import { ADMIN_ROLES } from '../common/auth/principal.js';
import { correlationSettingsBody, correlationSettingsView, ingestSettingsBody, ingestSettingsView } from './ingest-settings.js';

const INGEST_VIEW_EXAMPLE = {
  hmac: {
    required: true,
    secretSet: true,
    signatureHeader: 'X-Vigil-Signature',
    timestampHeader: 'X-Vigil-Timestamp',
    toleranceSeconds: 300,
    perSource: { splunk: { signatureHeader: 'X-Splunk-Signature' } },
  },
  limits: { maxBodyBytes: 1_048_576, maxBatchAlerts: 500 },
};
const CORRELATION_VIEW_EXAMPLE = { windowMinutes: 60, fields: ['source', 'rule', 'host', 'user'], defaults: { windowMinutes: 60, fields: ['source', 'rule', 'host', 'user'] } };

export const SETTINGS_ROUTE_DOCS: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/v1/settings/ingest',
    summary: "The tenant's ingest settings: HMAC body signatures (the secret is never returned)",
    tags: ['settings'],
    auth: ADMIN_ROLES,
    tenantScoped: true,
    responses: { 200: { description: 'The settings in force', schema: ingestSettingsView, example: INGEST_VIEW_EXAMPLE } },
  },
  {
    method: 'put',
    path: '/api/v1/settings/ingest',
    summary: "Sets the tenant's ingest settings",
    description:
      'Senders sign `<timestamp>.<raw body>` with HMAC-SHA256 and send `sha256=<hex>` in the signature header and the epoch seconds in the timestamp header. With `required`, a delivery with a missing, wrong or stale signature is refused with 401 `invalid_signature` and nothing is stored. The secret is write-only: omit it to keep the stored one, send null to remove it. Audited (without the secret).',
    tags: ['settings'],
    auth: ADMIN_ROLES,
    tenantScoped: true,
    body: {
      schema: ingestSettingsBody,
      example: { hmac: { required: true, secret: 'a-long-random-shared-secret', toleranceSeconds: 300, perSource: { splunk: { signatureHeader: 'X-Splunk-Signature' } } } },
    },
    responses: { 200: { description: 'The settings now in force', schema: ingestSettingsView, example: INGEST_VIEW_EXAMPLE } },
    errors: ['invalid_json', 'invalid_body', 'unsupported_media_type'],
  },
  {
    method: 'get',
    path: '/api/v1/settings/correlation',
    summary: "The tenant's correlation settings: window and fingerprint fields",
    tags: ['settings'],
    auth: ADMIN_ROLES,
    tenantScoped: true,
    responses: { 200: { description: 'The settings in force, and the defaults', schema: correlationSettingsView, example: CORRELATION_VIEW_EXAMPLE } },
  },
  {
    method: 'put',
    path: '/api/v1/settings/correlation',
    summary: "Sets the tenant's correlation settings",
    description:
      'Applies to alerts received from now on: an alert joins an open case with the same fingerprint whose last alert is within the window. Changing the fields changes fingerprints, so later alerts no longer join cases made under the old fields. Audited.',
    tags: ['settings'],
    auth: ADMIN_ROLES,
    tenantScoped: true,
    body: { schema: correlationSettingsBody, example: { windowMinutes: 120, fields: ['source', 'rule', 'host'] } },
    responses: {
      200: {
        description: 'The settings now in force',
        schema: correlationSettingsView,
        example: { ...CORRELATION_VIEW_EXAMPLE, windowMinutes: 120, fields: ['source', 'rule', 'host'] },
      },
    },
    errors: ['invalid_json', 'invalid_body', 'unsupported_media_type'],
  },
];
