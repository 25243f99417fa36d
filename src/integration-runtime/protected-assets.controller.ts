import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { Origin, type RequestOrigin } from '../common/http/request-origin.js';
import { parseBody } from '../common/http/request-validation.js';
import { CurrentPrincipal, type Principal, READ_ROLES, Roles } from '../common/auth/principal.js';
import { CONNECTION_ROLES } from './connections.controller.js';
import { createProtectedAssetBody, type ProtectedAssetView, ProtectedAssetsService } from './protected-assets.service.js';

/** Hosts, users, addresses and domains containment must not touch without an override approval. */
@Controller('api/v1/protected-assets')
export class ProtectedAssetsController {
  constructor(@Inject(ProtectedAssetsService) private readonly assets: ProtectedAssetsService) {}

  @Get()
  @Roles(...READ_ROLES)
  list(@CurrentPrincipal() principal: Principal): Promise<{ items: ProtectedAssetView[] }> {
    return this.assets.list(principal.tenantId);
  }

  @Post()
  @HttpCode(201)
  @Roles(...CONNECTION_ROLES)
  create(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Req() req: Request): Promise<ProtectedAssetView> {
    return this.assets.create(principal, origin, parseBody(createProtectedAssetBody, req));
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles(...CONNECTION_ROLES)
  async remove(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Param('id') id: string): Promise<void> {
    await this.assets.remove(principal, origin, id);
  }
}
