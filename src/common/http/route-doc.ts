import type { z } from 'zod';
import type { ErrorCode } from '../errors/vigil-error.js';
import type { Role } from '../../persistence/entities/api-key.entity.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ResponseDoc {
  description: string;
  /** The zod schema of the body (its output side is documented). Omit for empty responses. */
  schema?: z.ZodType;
  example?: unknown;
  /** Defaults to application/json. */
  contentType?: string;
}

/**
 * One HTTP route as OpenAPI documents it. Schemas are the zod schemas the route validates with, so
 * the document cannot drift from what the API accepts. Each module exports its routes as a list
 * (e.g. `CASE_ROUTE_DOCS`) and src/openapi/route-docs.ts gathers the lists.
 */
export interface RouteDoc {
  method: HttpMethod;
  /** OpenAPI path template: `/api/v1/cases/{id}`. */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  /** Roles allowed, or `public` for routes that need no API key. */
  auth: readonly Role[] | 'public';
  /** Only MSSP operators (provider-tenant keys flagged `mssp_operator`) may call it. */
  msspOperator?: boolean;
  /** The route acts on the caller's tenant, or on the tenant an MSSP operator names in `X-Vigil-Tenant`. */
  tenantScoped?: boolean;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: { schema: z.ZodType; example?: unknown; contentType?: string; description?: string; required?: boolean };
  /** Success responses by status. */
  responses: Record<number, ResponseDoc>;
  /** Error codes this route may answer with, beyond the ones every authenticated route has. */
  errors?: ErrorCode[];
}
