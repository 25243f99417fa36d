import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { Origin, type RequestOrigin } from '../common/http/request-origin.js';
import { parseBody } from '../common/http/request-validation.js';
import { AccessService } from './access.service.js';
import { ADMIN_ROLES, CurrentPrincipal, MsspOperatorOnly, type Principal, Roles } from '../common/auth/principal.js';
import { type ApiKeyView, createApiKeyBody, type CreatedApiKey, createTenantBody, createUserBody, emptyBody, type TenantView, type UserView } from './tenant.schemas.js';
import { TenantsService } from './tenants.service.js';

/** Tenants (MSSP operators only), and the users and API keys of a tenant (its admins, or MSSP operators). */
@Controller('api/v1')
export class TenantsController {
  constructor(
    @Inject(TenantsService) private readonly tenants: TenantsService,
    @Inject(AccessService) private readonly access: AccessService,
  ) {}

  @Post('tenants')
  @HttpCode(201)
  @Roles(...ADMIN_ROLES)
  @MsspOperatorOnly()
  create(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Req() req: Request): Promise<TenantView> {
    return this.tenants.create(principal, origin, parseBody(createTenantBody, req));
  }

  @Get('tenants')
  @Roles(...ADMIN_ROLES)
  @MsspOperatorOnly()
  list(): Promise<{ items: TenantView[] }> {
    return this.tenants.list();
  }

  @Post('tenants/:id/suspend')
  @HttpCode(200)
  @Roles(...ADMIN_ROLES)
  @MsspOperatorOnly()
  suspend(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Param('id') id: string, @Req() req: Request): Promise<TenantView> {
    parseBody(emptyBody, req, { emptyAsObject: true });
    return this.tenants.suspend(principal, origin, id);
  }

  @Post('tenants/:id/resume')
  @HttpCode(200)
  @Roles(...ADMIN_ROLES)
  @MsspOperatorOnly()
  resume(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Param('id') id: string, @Req() req: Request): Promise<TenantView> {
    parseBody(emptyBody, req, { emptyAsObject: true });
    return this.tenants.resume(principal, origin, id);
  }

  @Post('tenants/:id/api-keys')
  @HttpCode(201)
  @Roles(...ADMIN_ROLES)
  createKey(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Param('id') id: string, @Req() req: Request): Promise<CreatedApiKey> {
    return this.access.createKey(principal, origin, id, parseBody(createApiKeyBody, req));
  }

  @Get('tenants/:id/api-keys')
  @Roles(...ADMIN_ROLES)
  listKeys(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<{ items: ApiKeyView[] }> {
    return this.access.listKeys(principal, id);
  }

  @Delete('api-keys/:id')
  @HttpCode(204)
  @Roles(...ADMIN_ROLES)
  async revokeKey(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Param('id') id: string): Promise<void> {
    await this.access.revokeKey(principal, origin, id);
  }

  @Post('tenants/:id/users')
  @HttpCode(201)
  @Roles(...ADMIN_ROLES)
  createUser(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Param('id') id: string, @Req() req: Request): Promise<UserView> {
    return this.access.createUser(principal, origin, id, parseBody(createUserBody, req));
  }

  @Get('tenants/:id/users')
  @Roles(...ADMIN_ROLES)
  listUsers(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<{ items: UserView[] }> {
    return this.access.listUsers(principal, id);
  }

  @Delete('users/:id')
  @HttpCode(204)
  @Roles(...ADMIN_ROLES)
  async removeUser(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Param('id') id: string): Promise<void> {
    await this.access.removeUser(principal, origin, id);
  }
}
