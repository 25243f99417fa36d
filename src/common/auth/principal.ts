import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { Role } from '../../persistence/entities/api-key.entity.js';

/** Who is calling: resolved from the API key by the auth guard. */
export interface Principal {
  tenantId: string;
  tenantSlug: string;
  role: Role;
  keyId: string;
  /** For the timeline and audit: `user:<id>` when the key belongs to a user, else `api-key:<id>`. */
  actor: string;
  /** The user the key belongs to, if any. */
  userId?: string | null;
  /** A key (or its user) of the provider's tenant flagged `mssp_operator`: may act on any tenant and manage tenants. */
  msspOperator?: boolean;
  /** The tenant the key belongs to; differs from `tenantId` while an MSSP operator acts on another tenant. */
  homeTenantId?: string;
}

declare module 'express' {
  interface Request {
    principal?: Principal;
  }
}

export const ROLES_KEY = 'vigil:roles';
/** Roles allowed on a route; the auth guard refuses every other role with 403 (`ingest` keys read nothing). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
export const MSSP_OPERATOR_KEY = 'vigil:mssp-operator';
/** A route only MSSP operators may call (on top of its roles): tenant management. */
export const MsspOperatorOnly = () => SetMetadata(MSSP_OPERATOR_KEY, true);
export const PUBLIC_KEY = 'vigil:public';
/** A route that needs no API key (health checks, docs). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const req = ctx.switchToHttp().getRequest<Request>();
  if (!req.principal) throw new Error('CurrentPrincipal used on a public route');
  return req.principal;
});

export const READ_ROLES: Role[] = ['admin', 'author', 'analyst', 'viewer'];
export const INGEST_ROLES: Role[] = ['admin', 'analyst', 'ingest'];
/** Who may change cases (status, severity, assignee, comments, tasks, merge, revert). */
export const CASE_WRITE_ROLES: Role[] = ['admin', 'analyst'];
/** Who manages a tenant's users and keys, and reads its audit log. */
export const ADMIN_ROLES: Role[] = ['admin'];
export const ROLES: readonly Role[] = ['admin', 'author', 'analyst', 'viewer', 'ingest'];
/** The provider's own tenant: only its keys and users can be MSSP operators. */
export const PROVIDER_TENANT_SLUG = 'default';
/** Header an MSSP operator sends to act on another tenant (slug or id). */
export const TENANT_HEADER = 'x-vigil-tenant';
