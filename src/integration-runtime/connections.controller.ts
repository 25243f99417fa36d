import { Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { Origin, type RequestOrigin } from '../common/http/request-origin.js';
import { parseBody } from '../common/http/request-validation.js';
import type { Role } from '../persistence/entities/api-key.entity.js';
import { ADMIN_ROLES, CurrentPrincipal, type Principal, Roles } from '../common/auth/principal.js';
import { type ConnectionView, createConnectionBody, emptyBody, type RotateResult, updateConnectionBody } from './connection.schemas.js';
import { ConnectionsService } from './connections.service.js';

/** Who manages a tenant's connections. */
export const CONNECTION_ROLES: Role[] = ['admin', 'author'];

/** A tenant's integration connections; secrets are write-only. */
@Controller('api/v1/connections')
export class ConnectionsController {
  constructor(@Inject(ConnectionsService) private readonly connections: ConnectionsService) {}

  @Get()
  @Roles(...CONNECTION_ROLES)
  list(@CurrentPrincipal() principal: Principal): Promise<{ items: ConnectionView[] }> {
    return this.connections.list(principal.tenantId);
  }

  @Post()
  @HttpCode(201)
  @Roles(...CONNECTION_ROLES)
  create(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Req() req: Request): Promise<ConnectionView> {
    return this.connections.create(principal, origin, parseBody(createConnectionBody, req));
  }

  @Post('rotate')
  @HttpCode(200)
  @Roles(...ADMIN_ROLES)
  rotate(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Req() req: Request): Promise<RotateResult> {
    parseBody(emptyBody, req, { emptyAsObject: true });
    return this.connections.rotate(principal, origin);
  }

  @Get(':id')
  @Roles(...CONNECTION_ROLES)
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<ConnectionView> {
    return this.connections.get(principal.tenantId, id);
  }

  @Patch(':id')
  @Roles(...CONNECTION_ROLES)
  update(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Param('id') id: string, @Req() req: Request): Promise<ConnectionView> {
    return this.connections.update(principal, origin, id, parseBody(updateConnectionBody, req));
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles(...CONNECTION_ROLES)
  async remove(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Param('id') id: string): Promise<void> {
    await this.connections.remove(principal, origin, id);
  }
}
