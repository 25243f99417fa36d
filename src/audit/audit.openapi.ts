import type { RouteDoc } from '../common/http/route-doc.js';
import { ADMIN_ROLES } from '../common/auth/principal.js';
import { auditListQuery, auditPage } from './audit.schemas.js';

export const AUDIT_ROUTE_DOCS: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/v1/audit',
    summary: "The tenant's audit log, newest first",
    description:
      'Every state change, decision, configuration and key change: who (`actor`), what (`action`, `target`, `details`), when (`at`) and from where (`ip`, `userAgent`). Append-only: PostgreSQL refuses UPDATE, DELETE and TRUNCATE of the log.',
    tags: ['audit'],
    auth: ADMIN_ROLES,
    tenantScoped: true,
    query: auditListQuery,
    responses: {
      200: {
        description: 'One page of entries; pass `nextCursor` as `cursor` for the next.',
        schema: auditPage,
        example: {
          items: [
            {
              id: '42',
              at: '2026-03-02T10:15:00.123Z',
              actor: 'user:3f0c1e0a-1c1b-4a53-8f0e-2b7d1c0a9e11',
              action: 'case.updated',
              target: 'case:0b5c9a4e-6a0e-4c55-9a7e-2f0d7d1d3b11',
              details: { changes: { status: { from: 'triaged', to: 'in_progress' } } },
              ip: '198.51.100.7',
              userAgent: 'curl/8.5.0',
            },
          ],
          nextCursor: 'eyJrIjoiYXVkaXQiLCJ2IjpbIjQyIl19',
        },
      },
    },
    errors: ['invalid_query', 'invalid_cursor'],
  },
];
