import { z } from 'zod';
import { READ_ROLES } from '../common/auth/principal.js';
import type { RouteDoc } from '../common/http/route-doc.js';
import { slaFiguresQuery, slaFiguresView } from './sla-figures.schemas.js';

const FIGURES = { total: 40, open: 3, met: 33, breached: 4, breachRate: 0.108, elapsedP50Ms: 420_000, elapsedP90Ms: 780_000 };
const BY_CLOCK = { acknowledge: FIGURES, contain: FIGURES, resolve: FIGURES };

export const METRICS_ROUTE_DOCS: RouteDoc[] = [
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics (operators and scrapers)',
    description:
      'Text exposition (Prometheus 0.0.4) of this API process: `vigil_alerts_received_total{tenant,source,outcome}`, `vigil_http_request_duration_seconds{method,route,status}`, ' +
      '`vigil_outbox_depth`, `vigil_outbox_oldest_age_seconds`, `vigil_sla_clocks_open{tenant,clock,status}`, process and Node.js series (`vigil_process_*`, `vigil_nodejs_*`), and — when this process runs a worker ' +
      'with `VIGIL_TEMPORAL_METRICS_PORT` — the Temporal SDK series (`temporal_*`). Send `Authorization: Bearer <VIGIL_METRICS_TOKEN>` or an MSSP operator API key; tenant keys get 403. ' +
      'The worker serves the same on `VIGIL_WORKER_METRICS_PORT` (its SLA and Temporal series; the database gauges only here).',
    tags: ['health'],
    auth: READ_ROLES,
    msspOperator: true,
    responses: {
      200: {
        description: 'The series',
        contentType: 'text/plain; version=0.0.4; charset=utf-8',
        schema: z.string(),
        example: '# HELP vigil_outbox_depth Outbox rows not yet handed to Temporal.\n# TYPE vigil_outbox_depth gauge\nvigil_outbox_depth 0\n',
      },
    },
  },
  {
    method: 'get',
    path: '/api/v1/metrics/sla',
    summary: 'SLA figures: counts, breach rate and working-time percentiles per clock, by severity and period',
    description:
      'Over the clocks (`acknowledge`, `contain`, `resolve`) that started in [`from`, `to`): how many are open, met and breached (a recorded breach, or an open clock past its due instant), ' +
      'the breach rate (breached / decided), and the median and 90th percentile of the working time the met clocks took (each in its own business calendar, holds not counted). ' +
      "Computed in SQL over the stored clocks. Periods (`bucket`) are cut in the tenant's zone unless `timeZone` says otherwise. MSSP operators read another tenant with `X-Vigil-Tenant`, every tenant with `tenant=all`.",
    tags: ['sla'],
    auth: READ_ROLES,
    tenantScoped: true,
    query: slaFiguresQuery,
    responses: {
      200: {
        description: 'The figures',
        schema: slaFiguresView,
        example: {
          tenant: 'acme',
          timeZone: 'Europe/Berlin',
          from: '2026-11-01T00:00:00.000Z',
          to: '2026-12-01T00:00:00.000Z',
          bucket: 'week',
          clocks: BY_CLOCK,
          bySeverity: [{ severity: 'critical', severityId: 5, clocks: BY_CLOCK }],
          byPeriod: [{ period: '2026-11-02', start: '2026-11-01T23:00:00.000Z', clocks: BY_CLOCK }],
        },
      },
    },
    errors: ['invalid_query'],
  },
];
