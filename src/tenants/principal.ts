import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { Role } from '../persistence/entities/api-key.entity.js';

/** Who is calling: resolved from the API key by the auth guard. */
export interface Principal {
  tenantId: string;
  tenantSlug: string;
  role: Role;
  keyId: string;
  /** For the timeline and audit: `api-key:<id>`. */
  actor: string;
}

declare module 'express' {
  interface Request {
    principal?: Principal;
  }
}

export const ROLES_KEY = 'vigil:roles';
/** Roles allowed on a route; the auth guard refuses every other role with 403 (`ingest` keys read nothing). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
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
