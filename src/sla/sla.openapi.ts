import { z } from 'zod';
import { ADMIN_ROLES, CASE_WRITE_ROLES, READ_ROLES } from '../common/auth/principal.js';
import type { RouteDoc } from '../common/http/route-doc.js';
import { calendarBody, calendarView, escalationBody, escalationView, onDutyQuery, onDutyView, policyBody, policyView, rotaBody, rotaView } from './sla.schemas.js';

const idParams = z.object({ id: z.uuid().meta({ description: 'Object id.' }) });
const stamps = { createdBy: 'user:6f1c2b1e-1d2a-4b7e-9a51-0d6e0c6f9a10', createdAt: '2026-03-02T10:00:00.000Z', updatedAt: '2026-03-02T10:00:00.000Z' };
const ANA = '0b7e3c52-8a3f-4f0e-b8a4-2a3c9d1e5f60';
const BEN = '1c8f4d63-9b40-4a1f-89b5-3b4daf2f6071';
const ROTA = '7a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

const calendarExample = {
  name: 'Berlin office',
  kind: 'business_hours' as const,
  timeZone: 'Europe/Berlin',
  hours: {
    mon: [{ start: '09:00', end: '17:00' }],
    tue: [{ start: '09:00', end: '17:00' }],
    wed: [
      { start: '09:00', end: '12:00' },
      { start: '13:00', end: '17:00' },
    ],
  },
  holidays: ['2026-12-25', '2026-12-26'],
};
const policyExample = {
  name: 'Critical',
  severity: 'critical' as const,
  timeToAcknowledge: 'PT15M',
  timeToContain: 'PT1H',
  timeToResolve: 'PT8H',
  clockStart: 'detected' as const,
  calendarId: null,
  pauseOnHold: true,
  thresholds: [50, 80, 100],
  escalationPolicyId: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b',
};
const rotaExample = {
  name: 'SOC primary',
  timeZone: 'Europe/Berlin',
  layers: [{ members: [ANA, BEN], rotation: 'daily' as const, handoffTime: '09:00', startsAt: '2026-03-02T08:00:00Z' }],
  overrides: [{ from: '2026-03-10T08:00:00Z', to: '2026-03-10T12:00:00Z', userId: BEN, replaces: ANA }],
};
const escalationExample = {
  name: 'Critical paging',
  levels: [
    { rotas: [ROTA], users: [], channels: ['slack.post_message' as const, 'pagerduty.trigger' as const], delay: 'PT10M' },
    { rotas: [], users: [BEN], channels: ['email.send' as const], delay: 'PT15M' },
  ],
};

function crudDocs(opts: {
  path: string;
  tag: string;
  noun: string;
  body: z.ZodType;
  view: z.ZodType;
  example: Record<string, unknown>;
  view_example: Record<string, unknown>;
  description: string;
}): RouteDoc[] {
  const base = { tags: [opts.tag], tenantScoped: true };
  const writeErrors: RouteDoc['errors'] = ['invalid_body', 'invalid_json', 'conflict'];
  return [
    {
      ...base,
      method: 'get',
      path: opts.path,
      summary: `List ${opts.noun}s`,
      description: `The tenant's own ${opts.noun}s (scope \`tenant\`) first, then the MSSP-wide ones (scope \`mssp\`).`,
      auth: READ_ROLES,
      responses: { 200: { description: `The ${opts.noun}s.`, schema: z.object({ items: z.array(opts.view) }), example: { items: [opts.view_example] } } },
    },
    {
      ...base,
      method: 'get',
      path: `${opts.path}/{id}`,
      summary: `Read one ${opts.noun}`,
      auth: READ_ROLES,
      params: idParams,
      responses: { 200: { description: `The ${opts.noun}.`, schema: opts.view, example: opts.view_example } },
      errors: ['not_found'],
    },
    {
      ...base,
      method: 'post',
      path: opts.path,
      summary: `Create a ${opts.noun}`,
      description: `${opts.description} Called by an MSSP operator on the provider tenant (no \`X-Vigil-Tenant\`), it creates an MSSP-wide row. Audited.`,
      auth: ADMIN_ROLES,
      body: { schema: opts.body, example: opts.example },
      responses: { 201: { description: `The ${opts.noun}.`, schema: opts.view, example: opts.view_example } },
      errors: writeErrors,
    },
    {
      ...base,
      method: 'put',
      path: `${opts.path}/{id}`,
      summary: `Replace a ${opts.noun}`,
      description: `The whole ${opts.noun}, as for create. MSSP-wide rows answer 403 to client tenants. Audited.`,
      auth: ADMIN_ROLES,
      params: idParams,
      body: { schema: opts.body, example: opts.example },
      responses: { 200: { description: `The ${opts.noun}.`, schema: opts.view, example: opts.view_example } },
      errors: [...writeErrors, 'not_found'],
    },
    {
      ...base,
      method: 'delete',
      path: `${opts.path}/{id}`,
      summary: `Delete a ${opts.noun}`,
      description: `Refused with 409 while another row still names it. Audited.`,
      auth: ADMIN_ROLES,
      params: idParams,
      responses: { 204: { description: 'Deleted.' } },
      errors: ['not_found', 'conflict'],
    },
  ];
}

const acknowledgeResult = z.object({
  caseId: z.uuid(),
  clock: z.enum(['acknowledge', 'contain', 'resolve']),
  acknowledged: z.boolean(),
  acknowledgedAt: z.iso.datetime(),
  acknowledgedBy: z.string().meta({ description: '`user:<id>`, `api-key:<id>` or, for a link sent to a channel, `link:<channel>`.' }),
  alreadyAcknowledged: z.boolean().meta({ description: 'It had been acknowledged before; nothing changed.' }),
});
const ackExample = {
  caseId: '9d2f6a1e-3b4c-4d5e-8f6a-7b8c9d0e1f2a',
  clock: 'acknowledge',
  acknowledged: true,
  acknowledgedAt: '2026-03-02T10:21:00.000Z',
  acknowledgedBy: `user:${ANA}`,
  alreadyAcknowledged: false,
};
const ACK_DOCS: RouteDoc[] = [
  {
    method: 'post',
    path: '/api/v1/cases/{id}/sla/{clock}/acknowledge',
    summary: "Acknowledge an SLA clock's paging",
    description:
      'Stops the escalation of this clock: no further level (and no later threshold) is paged. The clock itself keeps counting: a breach is still recorded. Audited (`sla_clock.acknowledged`) and written on the timeline; acknowledging again answers 200 with `alreadyAcknowledged`.',
    tags: ['sla'],
    auth: CASE_WRITE_ROLES,
    tenantScoped: true,
    params: z.object({ id: z.uuid().meta({ description: 'Case id.' }), clock: z.enum(['acknowledge', 'contain', 'resolve']) }),
    responses: { 200: { description: 'Acknowledged.', schema: acknowledgeResult, example: ackExample } },
    errors: ['invalid_body', 'not_found'],
  },
  {
    method: 'get',
    path: '/api/v1/sla/acknowledgements/{token}',
    summary: 'What a signed acknowledgement link acknowledges',
    description: 'Reading the link acknowledges nothing (mail scanners open links).',
    tags: ['sla'],
    auth: 'public',
    params: z.object({ token: z.string().meta({ description: 'The token of a signed acknowledgement link, from a page.' }) }),
    responses: {
      200: {
        description: 'The clock the link acknowledges.',
        schema: z.object({ caseId: z.uuid(), clock: z.string(), via: z.string(), expiresAt: z.iso.datetime(), clockState: z.record(z.string(), z.unknown()).nullable() }),
      },
    },
    errors: ['invalid_signature', 'link_expired'],
  },
  {
    method: 'post',
    path: '/api/v1/sla/acknowledgements/{token}',
    summary: 'Acknowledge through the signed link of a page',
    description:
      'The link in an e-mail, PagerDuty or Slack page: signed with the deployment key, expires after 24 h, names the case, the clock and (for e-mail) the person, who acknowledges as `user:<id>`. A tampered link answers 401 `invalid_signature`, an expired one 410 `link_expired`.',
    tags: ['sla'],
    auth: 'public',
    params: z.object({ token: z.string() }),
    responses: { 200: { description: 'Acknowledged.', schema: acknowledgeResult, example: ackExample } },
    errors: ['invalid_signature', 'link_expired', 'not_found'],
  },
];

export const SLA_ROUTE_DOCS: RouteDoc[] = [
  ...ACK_DOCS,
  ...crudDocs({
    path: '/api/v1/sla/policies',
    tag: 'sla',
    noun: 'SLA policy',
    body: policyBody,
    view: policyView,
    example: policyExample,
    view_example: { id: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e', scope: 'tenant', severityId: 5, ...policyExample, ...stamps },
    description:
      "One per severity and tenant; a case without a policy of its tenant for its severity uses the MSSP-wide one. Targets count working time of the calendar (24/7 without one), from the earliest alert's detection or receipt; the highest severity the case has had applies.",
  }),
  ...crudDocs({
    path: '/api/v1/sla/calendars',
    tag: 'sla',
    noun: 'calendar',
    body: calendarBody,
    view: calendarView,
    example: calendarExample,
    view_example: { id: '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f', scope: 'tenant', ...calendarExample, ...stamps },
    description: 'Business hours per weekday (several spans a day, local time of the zone), or 24/7, and holidays closed all day.',
  }),
  ...crudDocs({
    path: '/api/v1/oncall/rotas',
    tag: 'oncall',
    noun: 'rota',
    body: rotaBody,
    view: rotaView,
    example: rotaExample,
    view_example: { id: ROTA, scope: 'tenant', ...rotaExample, ...stamps },
    description:
      "Layers of the tenant's users taking turns daily, weekly or every N hours, handing off at a local time of the rota's zone; the last layer covering an instant answers; overrides replace one person (or whoever is on duty) for a period.",
  }),
  ...crudDocs({
    path: '/api/v1/escalation-policies',
    tag: 'oncall',
    noun: 'escalation policy',
    body: escalationBody,
    view: escalationView,
    example: escalationExample,
    view_example: { id: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b', scope: 'tenant', ...escalationExample, ...stamps },
    description:
      "Ordered levels, each paging rotas (whoever is on duty) and users through notification actions, then waiting `delay` before the next level. Users may be the tenant's or the MSSP's.",
  }),
  {
    method: 'get',
    path: '/api/v1/oncall/now',
    summary: 'Who is on duty',
    description: "At `at` (default now), in one rota (own or MSSP-wide) or in each of the tenant's own rotas.",
    tags: ['oncall'],
    auth: READ_ROLES,
    tenantScoped: true,
    query: onDutyQuery,
    responses: {
      200: {
        description: 'One answer per rota.',
        schema: onDutyView,
        example: {
          at: '2026-03-10T09:30:00.000Z',
          items: [
            {
              rotaId: ROTA,
              rotaName: 'SOC primary',
              scope: 'tenant',
              user: { id: BEN, email: 'ben@example.com', name: 'Ben' },
              layer: 0,
              shiftStartsAt: '2026-03-10T08:00:00.000Z',
              shiftEndsAt: '2026-03-11T08:00:00.000Z',
              override: { replaces: ANA, from: '2026-03-10T08:00:00.000Z', to: '2026-03-10T12:00:00.000Z' },
            },
          ],
        },
      },
    },
    errors: ['invalid_query', 'not_found'],
  },
];
