import type { RouteDoc } from '../common/http/route-doc.js';
import { READ_ROLES } from '../common/auth/principal.js';
import { alertDetail, alertIdParams, alertPage, listAlertsQuery } from './alert-read.schemas.js';

const ALERT_ID = '7c1f7c43-5d0e-4d1b-9a34-5e2a8d1c2b10';
const CASE_ID = '0b5c9a4e-6a0e-4c55-9a7e-2f0d7d1d3b11';
const TENANT_ID = '5d7e0c1a-2b3f-4c8d-9e6a-1f2b3c4d5e6f';
const SUMMARY = {
  id: ALERT_ID,
  source: 'generic',
  sourceUid: 'travel-watch-4711',
  title: 'Impossible travel for jdoe',
  severity: 'high',
  severityId: 4,
  eventTime: '2026-03-02T10:15:30.000Z',
  firstSeenAt: '2026-03-02T10:15:31.204Z',
  lastSeenAt: '2026-03-02T10:25:02.918Z',
  count: 2,
  caseId: CASE_ID,
  rule: { uid: null, name: 'impossible_travel' },
  fingerprint: '4f1c2b7e9a0d3c5e8b6a1f2d7c9e0b3a',
  links: { self: `/api/v1/alerts/${ALERT_ID}`, case: `/api/v1/cases/${CASE_ID}` },
};
// What the generic normaliser stores for the `raw` example below (a valid OCSF 1.8.0 Detection Finding).
const FINDING = {
  category_uid: 2,
  category_name: 'Findings',
  class_uid: 2004,
  class_name: 'Detection Finding',
  activity_id: 1,
  activity_name: 'Create',
  type_uid: 200401,
  type_name: 'Detection Finding: Create',
  severity_id: 4,
  severity: 'High',
  time: 1772446530000,
  message: 'Impossible travel for jdoe',
  is_alert: true,
  metadata: {
    version: '1.8.0',
    product: { name: 'Generic', vendor_name: 'Unknown' },
    profiles: ['host'],
    uid: 'travel-watch-4711',
    log_name: 'generic',
    original_event_uid: 'travel-watch-4711',
    tenant_uid: TENANT_ID,
  },
  finding_info: { uid: 'travel-watch-4711', title: 'Impossible travel for jdoe', analytic: { name: 'impossible_travel', type_id: 1, type: 'Rule' } },
  device: { type_id: 0, type: 'Unknown', hostname: 'ws-0142' },
  actor: { user: { name: 'jdoe' } },
  unmapped: { observables: [{ type: 'ip', value: '198.51.100.77' }] },
  observables: [
    { name: 'device.hostname', type_id: 1, type: 'Hostname', value: 'ws-0142' },
    { name: 'actor.user.name', type_id: 4, type: 'User Name', value: 'jdoe' },
    { name: 'unmapped.observables[0].value', type_id: 2, type: 'IP Address', value: '198.51.100.77' },
  ],
};

export const ALERT_READ_ROUTE_DOCS: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/v1/alerts',
    summary: 'List alerts, newest event first',
    description:
      "Filters combine with AND. `from`/`to` and the order use the alert's **event time** (`eventTime`: the finding's `time`, the source's latest time for the detection, updated by a re-send; the time of receipt only when the source gives none), not the time Vigil received it. Ties are broken by id, so the order is total: pass `nextCursor` as `cursor` with the same filters to read the next page. A re-send that moves an alert's event time while you page can move it across pages.",
    tags: ['alerts'],
    auth: READ_ROLES,
    tenantScoped: true,
    query: listAlertsQuery,
    responses: {
      200: {
        description: 'One page of alerts',
        schema: alertPage,
        example: { items: [SUMMARY], nextCursor: 'eyJrIjoiYWxlcnRzOmV2ZW50X3RpbWU6ZGVzYyIsInYiOlsiMjAyNi0wMy0wMiAxMDoxNTozMCswMCIsIjdjMWYiXX0' },
      },
    },
    errors: ['invalid_query', 'invalid_cursor'],
  },
  {
    method: 'get',
    path: '/api/v1/alerts/{id}',
    summary: 'An alert in full: its OCSF finding, the raw payload, why it joined its case, and its re-sends',
    description:
      "`finding` is the canonical OCSF Detection Finding; `raw` is the vendor's item as received (the latest send); `joinReason` says why it joined its case; `changes` lists the re-sends that changed it (newest first, the last 20). Another tenant's alert is not found.",
    tags: ['alerts'],
    auth: READ_ROLES,
    tenantScoped: true,
    params: alertIdParams,
    responses: {
      200: {
        description: 'The alert',
        schema: alertDetail,
        example: {
          ...SUMMARY,
          finding: FINDING,
          observables: [
            { kind: 'hostname', name: 'device.hostname', type_id: 1, type: 'Hostname', value: 'ws-0142' },
            { kind: 'user', name: 'actor.user.name', type_id: 4, type: 'User Name', value: 'jdoe' },
            { kind: 'ip', name: 'unmapped.observables[0].value', type_id: 2, type: 'IP Address', value: '198.51.100.77', is_private: false },
          ],
          raw: { title: 'Impossible travel for jdoe', severity: 'high', sourceId: 'travel-watch-4711', host: 'ws-0142', user: 'jdoe', rule: 'impossible_travel' },
          joinReason: {
            rule: 'new_case',
            fingerprint: '4f1c2b7e9a0d3c5e8b6a1f2d7c9e0b3a',
            fields: ['host', 'rule', 'source'],
            values: { source: 'generic', rule: 'impossible_travel', host: 'ws-0142' },
            windowMinutes: 60,
          },
          changes: [{ at: '2026-03-02T10:25:02.918Z', count: 2, fields: ['severity_id', 'severity'] }],
        },
      },
    },
    errors: ['invalid_params', 'not_found'],
  },
];
