import { Controller, Get, Inject, Query } from '@nestjs/common';
import { CurrentPrincipal, type Principal, READ_ROLES, Roles } from '../common/auth/principal.js';
import { parseQuery } from '../common/http/request-validation.js';
import { slaFiguresQuery, type SlaFiguresView } from './sla-figures.schemas.js';
import { SlaFiguresService } from './sla-figures.service.js';

/** `GET /api/v1/metrics/sla`: the tenant's SLA figures (operators: any tenant by `X-Vigil-Tenant`, or `tenant=all`). */
@Controller('api/v1/metrics/sla')
export class SlaFiguresController {
  constructor(@Inject(SlaFiguresService) private readonly figures: SlaFiguresService) {}

  @Get()
  @Roles(...READ_ROLES)
  get(@CurrentPrincipal() principal: Principal, @Query() query: unknown): Promise<SlaFiguresView> {
    return this.figures.figures(principal, parseQuery(slaFiguresQuery, query));
  }
}
