import { Controller, Get, Inject, Param } from '@nestjs/common';
import { CurrentPrincipal, type Principal, READ_ROLES, Roles } from '../tenants/principal.js';
import { type CaseView, CasesService } from './cases.service.js';

@Controller('api/v1/cases')
export class CasesController {
  constructor(@Inject(CasesService) private readonly cases: CasesService) {}

  @Get(':id')
  @Roles(...READ_ROLES)
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<CaseView> {
    return this.cases.get(principal.tenantId, id);
  }
}
