import { z } from 'zod';
import { ALERT_SOURCES } from '../common/canonical-alert.js';
import { genericAlertSchema } from '../alerts/index.js';
import { INGEST_ROLES } from '../common/auth/principal.js';
import type { RouteDoc } from '../common/http/route-doc.js';

/** Routes that existed before the OpenAPI registry: health, alert ingest, and the docs themselves. */

const ingestResponse = z.object({
  source: z.enum(ALERT_SOURCES),
  alerts: z.array(
    z.object({
      index: z.number().int().meta({ description: 'Position of the item in the delivery (as in `errors[].index`).' }),
      id: z.uuid(),
      caseId: z.uuid(),
      duplicate: z.boolean().meta({ description: 'The source had sent this detection before (same source uid): the alert was updated, not added.' }),
      changed: z.array(z.string()).optional().meta({ description: 'For a duplicate: the finding fields the re-send changed (dotted paths).' }),
    }),
  ),
  errors: z
    .array(z.object({ index: z.number().int().optional(), code: z.string(), message: z.string() }).loose())
    .optional()
    .meta({ description: 'Items of a batch that could not be normalised.' }),
});
const acknowledged = z.object({
  acknowledged: z.string().meta({ description: 'A vendor handshake (subscription confirmation, test ping) was recognised; no alert.' }),
  message: z.string(),
});
const INGEST_EXAMPLE = {
  source: 'generic',
  alerts: [
    { index: 0, id: '7c1f7c43-5d0e-4d1b-9a34-5e2a8d1c2b10', caseId: '0b5c9a4e-6a0e-4c55-9a7e-2f0d7d1d3b11', duplicate: false },
    // A re-send of an alert Vigil has: paths inside the stored OCSF finding that changed.
    {
      index: 1,
      id: '2d8e3b6a-9f14-4c7e-8a2b-6c1d0e9f8a21',
      caseId: '0b5c9a4e-6a0e-4c55-9a7e-2f0d7d1d3b11',
      duplicate: true,
      changed: ['finding_info.desc', 'metadata.original_time', 'severity', 'severity_id', 'time'],
    },
  ],
};
/** A producer's own OCSF 1.8.0 Detection Finding, as `POST /api/v1/alerts` detects it (class_uid 2004): Vigil stores it whole. */
const OCSF_FINDING_EXAMPLE = {
  class_uid: 2004,
  category_uid: 2,
  activity_id: 1,
  type_uid: 200401,
  severity_id: 4,
  time: 1772446805000,
  is_alert: true,
  status_id: 1,
  confidence_id: 3,
  message: 'Encoded PowerShell launched by Word',
  metadata: { version: '1.8.0', uid: 'evt-4711', profiles: ['host'], product: { name: 'Falcon Insight', vendor_name: 'CrowdStrike' } },
  finding_info: { uid: 'ldt:4f3e:98765', title: 'Encoded PowerShell from Office', attacks: [{ tactic: { uid: 'TA0002' }, technique: { uid: 'T1059' } }] },
  device: { type_id: 2, type: 'Desktop', hostname: 'WS-0142', ip: '10.1.4.142', os: { name: 'Windows 11', type_id: 100, type: 'Windows' } },
  actor: { user: { name: 'jdoe' } },
  evidences: [{ dst_endpoint: { ip: '203.0.113.66', port: 443 }, process: { pid: 4242, name: 'powershell.exe', cmd_line: 'powershell.exe -enc SQBFAFgA' } }],
  observables: [{ name: 'evidences[0].dst_endpoint.ip', type_id: 2, type: 'IP Address', value: '203.0.113.66' }],
};
const ACK_EXAMPLE = {
  acknowledged: 'sns_subscription_confirmation',
  message: 'SNS asks to confirm the subscription: visit SubscribeURL (after verifying the message signature) to start receiving GuardDuty findings',
};
const INGEST_ERRORS: RouteDoc['errors'] = [
  'invalid_signature',
  'invalid_json',
  'invalid_alert',
  'unrecognized_payload',
  'forbidden_key',
  'too_deep',
  'too_many_alerts',
  'unsupported_media_type',
  'payload_too_large',
];

export const CORE_ROUTE_DOCS: RouteDoc[] = [
  {
    method: 'get',
    path: '/healthz',
    summary: 'Liveness: the process answers',
    tags: ['health'],
    auth: 'public',
    responses: { 200: { description: 'Alive', schema: z.object({ status: z.literal('ok') }), example: { status: 'ok' } } },
  },
  {
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: PostgreSQL and Temporal reachable',
    tags: ['health'],
    auth: 'public',
    responses: {
      200: {
        description: 'Ready',
        schema: z.object({ status: z.literal('ready'), postgres: z.boolean(), temporal: z.boolean() }),
        example: { status: 'ready', postgres: true, temporal: true },
      },
    },
    errors: ['unavailable'],
  },
  {
    method: 'get',
    path: '/docs',
    summary: 'This documentation (Swagger UI)',
    tags: ['health'],
    auth: 'public',
    responses: { 200: { description: 'An HTML page', schema: z.string(), contentType: 'text/html' } },
  },
  {
    method: 'get',
    path: '/docs-json',
    summary: 'The OpenAPI 3.1 document',
    tags: ['health'],
    auth: 'public',
    responses: { 200: { description: 'The document', schema: z.record(z.string(), z.unknown()) } },
  },
  {
    method: 'get',
    path: '/docs/{file}',
    summary: "Swagger UI's own files (served from the installed swagger-ui-dist package)",
    tags: ['health'],
    auth: 'public',
    params: z.strictObject({
      file: z.enum(['swagger-ui.css', 'index.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'vigil-initializer.js', 'favicon-16x16.png', 'favicon-32x32.png']),
    }),
    responses: { 200: { description: 'The file' } },
    errors: ['not_found'],
  },
  {
    method: 'post',
    path: '/api/v1/alerts',
    summary: 'Ingest alerts of any supported source (detected from the body)',
    description: `Accepts one alert or a batch; the source is detected from the body and named in the answer. Supported sources: ${ALERT_SOURCES.join(', ')}.`,
    tags: ['alerts'],
    auth: INGEST_ROLES,
    tenantScoped: true,
    body: {
      schema: z.unknown(),
      description:
        'The vendor payload, as the vendor sends it. Example: an OCSF Detection Finding (source `ocsf`), stored whole. Every source is stored as a pure OCSF 1.8.0 Detection Finding whose observable names are paths inside it; Vigil keeps its own observable view (`kind`, `is_private`) beside it.',
      example: OCSF_FINDING_EXAMPLE,
    },
    responses: {
      202: { description: 'Stored: each alert and the case it joined', schema: ingestResponse, example: INGEST_EXAMPLE },
      200: { description: 'A handshake without alerts (SNS subscription confirmation, empty list): acknowledged, nothing stored', schema: acknowledged, example: ACK_EXAMPLE },
    },
    errors: INGEST_ERRORS,
  },
  {
    method: 'post',
    path: '/api/v1/alerts/{source}',
    summary: 'Ingest alerts of one source',
    description:
      "The body is the source's own payload (a GuardDuty finding, a Splunk webhook, …). For `generic`, the schema below applies; other sources follow their vendor's format. Suricata and GuardDuty (SNS) may also send text/plain or NDJSON.",
    tags: ['alerts'],
    auth: INGEST_ROLES,
    tenantScoped: true,
    params: z.strictObject({ source: z.enum(ALERT_SOURCES) }),
    body: {
      schema: z.union([genericAlertSchema, z.array(genericAlertSchema), z.unknown()]),
      description: 'For `generic`: one alert or a list of alerts of this shape. For other sources: the vendor payload.',
      example: { title: 'Beacon to known C2', severity: 'high', observables: [{ type: 'ip', value: '203.0.113.9' }] },
    },
    responses: {
      202: { description: 'Stored: each alert and the case it joined', schema: ingestResponse, example: INGEST_EXAMPLE },
      200: { description: 'A handshake without alerts (SNS subscription confirmation, empty list): acknowledged, nothing stored', schema: acknowledged, example: ACK_EXAMPLE },
    },
    errors: [...INGEST_ERRORS, 'unknown_source'],
  },
];
