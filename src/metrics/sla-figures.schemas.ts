import { IANAZone } from 'luxon';
import { z } from 'zod';
import { singleParam } from '../common/http/query-params.js';

export const SLA_BUCKETS = ['day', 'week', 'month'] as const;
export type SlaBucket = (typeof SLA_BUCKETS)[number];

const instant = z.iso.datetime({ offset: true });

export const slaFiguresQuery = z
  .strictObject({
    from: singleParam(instant)
      .optional()
      .meta({ description: 'Clocks started at or after this instant (ISO 8601). Default: 30 days before `to`.', example: '2026-11-01T00:00:00Z' }),
    to: singleParam(instant).optional().meta({ description: 'Clocks started before this instant. Default: now.', example: '2026-12-01T00:00:00Z' }),
    bucket: singleParam(z.enum(SLA_BUCKETS))
      .optional()
      .meta({ description: 'Also break the figures down by period: calendar days, ISO weeks (from Monday) or months, in `timeZone`.', example: 'week' }),
    timeZone: singleParam(z.string().refine((v) => IANAZone.isValidZone(v), { error: 'not an IANA time zone (e.g. Europe/Berlin)' }))
      .optional()
      .meta({
        description: "Zone the periods are cut in. Default: the tenant's zone — the zone of the business calendar its SLA policies name most — else UTC (also for `tenant=all`).",
        example: 'Europe/Berlin',
      }),
    tenant: singleParam(z.literal('all')).optional().meta({ description: 'MSSP operators: `all` counts every tenant together (to pick one tenant, send `X-Vigil-Tenant`).' }),
  })
  .refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) < Date.parse(q.to), { path: ['to'], error: 'must be after from' });
export type SlaFiguresQuery = z.output<typeof slaFiguresQuery>;

const clockFigures = z.object({
  total: z.number().int().meta({ description: 'Clocks started in the range.' }),
  open: z.number().int().meta({ description: 'Still running or paused, and not past due.' }),
  met: z.number().int(),
  breached: z.number().int().meta({ description: 'Recorded breaches, and open clocks already past their due instant.' }),
  breachRate: z.number().nullable().meta({ description: 'breached / (met + breached), 0–1; null when no clock has been decided yet.' }),
  elapsedP50Ms: z.number().int().nullable().meta({ description: 'Median working time the met clocks took (their calendar, holds not counted); null without met clocks.' }),
  elapsedP90Ms: z.number().int().nullable().meta({ description: '90th percentile of the same.' }),
});
export type ClockFigures = z.output<typeof clockFigures>;

const byClock = z.object({ acknowledge: clockFigures, contain: clockFigures, resolve: clockFigures });
export type ByClock = z.output<typeof byClock>;

export const slaFiguresView = z.object({
  tenant: z.string().meta({ description: 'The tenant slug, or `all`.' }),
  timeZone: z.string(),
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  bucket: z.enum(SLA_BUCKETS).nullable(),
  clocks: byClock,
  bySeverity: z
    .array(z.object({ severity: z.string(), severityId: z.number().int(), clocks: byClock }))
    .meta({ description: 'Severities that have clocks in the range, highest first.' }),
  byPeriod: z
    .array(z.object({ period: z.string().meta({ description: 'Local date the period starts on.', example: '2026-11-02' }), start: z.iso.datetime(), clocks: byClock }))
    .meta({ description: 'With `bucket`: periods that have clocks, oldest first.' }),
});
export type SlaFiguresView = z.output<typeof slaFiguresView>;
