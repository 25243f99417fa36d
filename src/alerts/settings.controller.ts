import { Controller, Get, Inject, Put, Req } from '@nestjs/common';
import type { Request } from 'express';
import { Origin, type RequestOrigin } from '../common/http/request-origin.js';
import { parseBody } from '../common/http/request-validation.js';
import { ADMIN_ROLES, CurrentPrincipal, type Principal, Roles } from '../common/auth/principal.js';
import { correlationSettingsBody, type CorrelationSettingsView, ingestSettingsBody, type IngestSettingsView } from './ingest-settings.js';
import { IngestSettingsService } from './ingest-settings.service.js';

/** A tenant's ingest (HMAC) and correlation settings; admins only. */
@Controller('api/v1/settings')
export class SettingsController {
  constructor(@Inject(IngestSettingsService) private readonly settings: IngestSettingsService) {}

  @Get('ingest')
  @Roles(...ADMIN_ROLES)
  getIngest(@CurrentPrincipal() principal: Principal): Promise<IngestSettingsView> {
    return this.settings.getIngest(principal.tenantId);
  }

  @Put('ingest')
  @Roles(...ADMIN_ROLES)
  putIngest(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Req() req: Request): Promise<IngestSettingsView> {
    return this.settings.putIngest(principal, origin, parseBody(ingestSettingsBody, req));
  }

  @Get('correlation')
  @Roles(...ADMIN_ROLES)
  getCorrelation(@CurrentPrincipal() principal: Principal): Promise<CorrelationSettingsView> {
    return this.settings.getCorrelation(principal.tenantId);
  }

  @Put('correlation')
  @Roles(...ADMIN_ROLES)
  putCorrelation(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Req() req: Request): Promise<CorrelationSettingsView> {
    return this.settings.putCorrelation(principal, origin, parseBody(correlationSettingsBody, req));
  }
}
