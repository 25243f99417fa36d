import { z } from 'zod';
import { calendarIssues, isTimeZone, parseHhmm, WEEKDAYS } from './calendar.js';
import { CLOCK_STARTS } from './clocks.js';
import { parseDuration } from './durations.js';
import { ESCALATION_CHANNELS } from './escalation.js';
import { ROTATIONS } from './rota.js';

/** Request and response shapes of the SLA, on-call and escalation API (validated with these, documented from these). */

/** OCSF severities by the names the API uses. */
export const SEVERITY_IDS = { unknown: 0, informational: 1, low: 2, medium: 3, high: 4, critical: 5, fatal: 6, other: 99 } as const;
export type SeverityName = keyof typeof SEVERITY_IDS;
export const SEVERITY_NAMES = Object.keys(SEVERITY_IDS) as [SeverityName, ...SeverityName[]];
export function severityName(id: number): SeverityName {
  return SEVERITY_NAMES.find((n) => SEVERITY_IDS[n] === id) ?? 'other';
}

const name = z.string().trim().min(1).max(120).meta({ description: 'Unique per tenant.' });
const timeZone = z
  .string()
  .refine(isTimeZone, { error: 'not an IANA time zone (e.g. Europe/Berlin)' })
  .meta({ description: 'IANA time zone, e.g. `Europe/Berlin`.', example: 'Europe/Berlin' });
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'a time of day, HH:MM' });
const hhmmOrMidnight = z.string().refine((v) => parseHhmm(v) !== null, { error: 'a time of day, HH:MM (or 24:00)' });
const weekday = z.enum(WEEKDAYS);
const instant = z.iso.datetime({ offset: true }).meta({ description: 'ISO 8601 instant with an offset or Z.' });
const duration = (what: string, positive = true) =>
  z
    .string()
    .superRefine((v, ctx) => {
      const parsed = parseDuration(v, { positive });
      if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
    })
    .meta({ description: `${what}: an ISO 8601 duration of working time (\`PT15M\`, \`PT4H\`, \`P1D\` = 24 h).`, example: 'PT15M' });
const scope = z.enum(['tenant', 'mssp']).meta({ description: '`mssp`: an MSSP-wide row (of the provider tenant), read-only to client tenants.' });
const audited = { createdBy: z.string(), createdAt: z.string(), updatedAt: z.string() };

// Calendars
const dailyInterval = z.strictObject({ start: hhmm, end: hhmmOrMidnight });
export const calendarBody = z
  .strictObject({
    name,
    kind: z.enum(['24x7', 'business_hours']).meta({ description: '`24x7` counts every instant; `business_hours` only the `hours`.' }),
    timeZone: z.string().meta({ description: 'IANA time zone the hours and holidays are read in.', example: 'Europe/Berlin' }),
    hours: z
      .partialRecord(weekday, z.array(dailyInterval).max(12))
      .default({})
      .meta({ description: 'Open spans per weekday (`mon`…`sun`), local time, end after start; a day may have several spans.' }),
    holidays: z.array(z.string()).max(1000).default([]).meta({ description: 'ISO dates (`YYYY-MM-DD`) closed all day in the calendar zone.' }),
  })
  .superRefine((v, ctx) => {
    for (const issue of calendarIssues(v)) ctx.addIssue({ code: 'custom', path: issue.path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)), message: issue.message });
  })
  .meta({ id: 'SlaCalendarInput' });
export type CalendarBody = z.output<typeof calendarBody>;
export const calendarView = z
  .object({
    id: z.string(),
    scope,
    name: z.string(),
    kind: z.enum(['24x7', 'business_hours']),
    timeZone: z.string(),
    hours: z.partialRecord(weekday, z.array(z.object({ start: z.string(), end: z.string() }))),
    holidays: z.array(z.string()),
    ...audited,
  })
  .meta({ id: 'SlaCalendar' });
export type CalendarView = z.output<typeof calendarView>;

// Policies
export const policyBody = z
  .strictObject({
    name,
    severity: z.enum(SEVERITY_NAMES).meta({ description: 'The case severity this policy covers (one policy per severity and tenant).' }),
    timeToAcknowledge: duration('Until the first analyst action or a containment'),
    timeToContain: duration('Until containment (or resolution without one)'),
    timeToResolve: duration('Until resolution'),
    clockStart: z.enum(CLOCK_STARTS).default('detected').meta({ description: "Count from the earliest alert's detection time (`detected`) or its receipt by Vigil (`received`)." }),
    calendarId: z.uuid().nullable().default(null).meta({ description: 'Business calendar (own or MSSP-wide); null counts 24/7.' }),
    pauseOnHold: z.boolean().default(true).meta({ description: 'Time the case spends `on_hold` does not count.' }),
    thresholds: z
      .array(z.number().int().gt(0, { error: 'a threshold is a percent in (0, 100]' }).lte(100, { error: 'a threshold is a percent in (0, 100]' }))
      .min(1)
      .max(10)
      .default([50, 80, 100])
      .meta({ description: 'Escalation points in percent of each target.' }),
    escalationPolicyId: z.uuid().nullable().default(null).meta({ description: 'Escalation policy (own or MSSP-wide) paged at the thresholds.' }),
  })
  .meta({ id: 'SlaPolicyInput' });
export type PolicyBody = z.output<typeof policyBody>;
export const policyView = z
  .object({
    id: z.string(),
    scope,
    name: z.string(),
    severity: z.enum(SEVERITY_NAMES),
    severityId: z.number(),
    timeToAcknowledge: z.string(),
    timeToContain: z.string(),
    timeToResolve: z.string(),
    clockStart: z.enum(CLOCK_STARTS),
    calendarId: z.string().nullable(),
    pauseOnHold: z.boolean(),
    thresholds: z.array(z.number()),
    escalationPolicyId: z.string().nullable(),
    ...audited,
  })
  .meta({ id: 'SlaPolicy' });
export type PolicyView = z.output<typeof policyView>;

// Rotas
const restriction = z
  .strictObject({ days: z.array(weekday).optional(), start: hhmm, end: hhmmOrMidnight })
  .refine((r) => (parseHhmm(r.end) ?? 0) > (parseHhmm(r.start) ?? 0), { error: 'ends before it starts', path: ['end'] });
const layer = z
  .strictObject({
    name: z.string().max(120).optional(),
    members: z.array(z.uuid()).min(1, { error: 'a layer needs at least one member' }).max(100).meta({ description: 'User ids of the tenant, in turn order.' }),
    rotation: z.enum(ROTATIONS),
    everyHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 28)
      .optional()
      .meta({ description: 'For `hours`: hours per turn.' }),
    handoffTime: hhmm.meta({ description: 'Local time of the handoff in the rota zone.' }),
    handoffDay: weekday.optional().meta({ description: 'For `weekly`: the weekday of the handoff (default `mon`).' }),
    startsAt: instant,
    restrictions: z.array(restriction).max(50).optional().meta({ description: 'Local windows the layer covers; lower layers cover the rest.' }),
  })
  .refine((l) => l.rotation !== 'hours' || l.everyHours !== undefined, { error: 'an hourly rotation needs everyHours', path: ['everyHours'] });
const override = z
  .strictObject({ from: instant, to: instant, userId: z.uuid(), replaces: z.uuid().nullable().default(null) })
  .refine((o) => Date.parse(o.to) > Date.parse(o.from), { error: 'ends before it starts', path: ['to'] });
export const rotaBody = z
  .strictObject({
    name,
    timeZone,
    layers: z.array(layer).min(1, { error: 'a rota needs at least one layer' }).max(20),
    overrides: z.array(override).max(500).default([]),
  })
  .meta({ id: 'OncallRotaInput' });
export type RotaBody = z.output<typeof rotaBody>;
const layerView = z.object({
  name: z.string().optional(),
  members: z.array(z.string()),
  rotation: z.enum(ROTATIONS),
  everyHours: z.number().optional(),
  handoffTime: z.string(),
  handoffDay: weekday.optional(),
  startsAt: z.string(),
  restrictions: z.array(z.object({ days: z.array(weekday).optional(), start: z.string(), end: z.string() })).optional(),
});
export const rotaView = z
  .object({
    id: z.string(),
    scope,
    name: z.string(),
    timeZone: z.string(),
    layers: z.array(layerView),
    overrides: z.array(z.object({ from: z.string(), to: z.string(), userId: z.string(), replaces: z.string().nullable() })),
    ...audited,
  })
  .meta({ id: 'OncallRota' });
export type RotaView = z.output<typeof rotaView>;

// Escalation policies
const level = z
  .strictObject({
    rotas: z.array(z.uuid()).max(20).default([]).meta({ description: 'Rota ids (own or MSSP-wide): whoever is on duty is paged.' }),
    users: z.array(z.uuid()).max(50).default([]).meta({ description: 'User ids paged directly.' }),
    channels: z.array(z.enum(ESCALATION_CHANNELS)).min(1).default(['email.send']).meta({ description: 'Notification actions of the integration catalogue to page with.' }),
    delay: duration('Wait before the next level'),
  })
  .refine((l) => l.rotas.length + l.users.length > 0, { error: 'a level pages at least one rota or user', path: ['rotas'] });
export const escalationBody = z.strictObject({ name, levels: z.array(level).min(1).max(20) }).meta({ id: 'EscalationPolicyInput' });
export type EscalationBody = z.output<typeof escalationBody>;
export const escalationView = z
  .object({
    id: z.string(),
    scope,
    name: z.string(),
    levels: z.array(z.object({ rotas: z.array(z.string()), users: z.array(z.string()), channels: z.array(z.enum(ESCALATION_CHANNELS)), delay: z.string() })),
    ...audited,
  })
  .meta({ id: 'EscalationPolicy' });
export type EscalationView = z.output<typeof escalationView>;

// On duty
export const onDutyQuery = z.strictObject({
  rota: z.uuid().optional().meta({ description: "One rota (own or MSSP-wide); all of the tenant's own rotas when omitted." }),
  at: instant.optional().meta({ description: 'The instant asked about; now when omitted.' }),
});
export const onDutyView = z
  .object({
    at: z.string(),
    items: z.array(
      z.object({
        rotaId: z.string(),
        rotaName: z.string(),
        scope,
        user: z.object({ id: z.string(), email: z.string().nullable(), name: z.string().nullable() }).nullable(),
        layer: z.number().nullable(),
        shiftStartsAt: z.string().nullable(),
        shiftEndsAt: z.string().nullable(),
        override: z.object({ replaces: z.string().nullable(), from: z.string(), to: z.string() }).nullable(),
      }),
    ),
  })
  .meta({ id: 'OnDuty' });
export type OnDutyView = z.output<typeof onDutyView>;
