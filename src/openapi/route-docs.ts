import { APPROVAL_ROUTE_DOCS } from '../approvals/index.js';
import { ALERT_READ_ROUTE_DOCS, SETTINGS_ROUTE_DOCS } from '../alerts/index.js';
import { AUDIT_ROUTE_DOCS } from '../audit/index.js';
import { CASE_ROUTE_DOCS } from '../cases/index.js';
import { PLAYBOOK_ROUTE_DOCS } from '../playbooks/index.js';
import { TENANT_ROUTE_DOCS } from '../tenants/index.js';
import { INTEGRATION_ROUTE_DOCS } from '../integration-runtime/index.js';
import { SLA_ROUTE_DOCS } from '../sla/index.js';
import { METRICS_ROUTE_DOCS } from '../metrics/index.js';
import { CORE_ROUTE_DOCS } from './core-routes.openapi.js';
import type { RouteDoc } from '../common/http/route-doc.js';

/**
 * Every documented route. A module adds its routes by exporting a `RouteDoc[]` beside its controller
 * and listing it here; `/docs-json` is built from this list, and a test checks it covers every route.
 */
export const ROUTE_DOCS: readonly RouteDoc[] = [
  ...CORE_ROUTE_DOCS,
  ...ALERT_READ_ROUTE_DOCS,
  ...CASE_ROUTE_DOCS,
  ...TENANT_ROUTE_DOCS,
  ...AUDIT_ROUTE_DOCS,
  ...APPROVAL_ROUTE_DOCS,
  ...SETTINGS_ROUTE_DOCS,
  ...PLAYBOOK_ROUTE_DOCS,
  ...INTEGRATION_ROUTE_DOCS,
  ...SLA_ROUTE_DOCS,
  ...METRICS_ROUTE_DOCS,
];
