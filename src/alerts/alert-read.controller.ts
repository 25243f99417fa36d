import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { CurrentPrincipal, type Principal, READ_ROLES, Roles } from '../common/auth/principal.js';
import { parseParams, parseQuery } from '../common/http/request-validation.js';
import { alertIdParams, type AlertDetail, type AlertSummary, listAlertsQuery } from './alert-read.schemas.js';
import { AlertReadService } from './alert-read.service.js';

/** The analyst's read of alerts: the list with filters and a cursor, and one alert in full. Roles as the case reads. */
@Controller('api/v1/alerts')
export class AlertReadController {
  constructor(@Inject(AlertReadService) private readonly alerts: AlertReadService) {}

  @Get()
  @Roles(...READ_ROLES)
  list(@CurrentPrincipal() principal: Principal, @Query() query: unknown): Promise<{ items: AlertSummary[]; nextCursor: string | null }> {
    return this.alerts.list(principal.tenantId, parseQuery(listAlertsQuery, query));
  }

  @Get(':id')
  @Roles(...READ_ROLES)
  get(@CurrentPrincipal() principal: Principal, @Param() params: unknown): Promise<AlertDetail> {
    return this.alerts.get(principal.tenantId, parseParams(alertIdParams, params).id);
  }
}
