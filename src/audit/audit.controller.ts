import { Controller, Get, Inject, Query } from '@nestjs/common';
import { parseQuery } from '../common/http/request-validation.js';
import { ADMIN_ROLES, CurrentPrincipal, type Principal, Roles } from '../common/auth/principal.js';
import { type AuditRecordView, AuditService } from './audit.service.js';
import { auditListQuery } from './audit.schemas.js';

@Controller('api/v1/audit')
export class AuditController {
  constructor(@Inject(AuditService) private readonly audit: AuditService) {}

  @Get()
  @Roles(...ADMIN_ROLES)
  list(@CurrentPrincipal() principal: Principal, @Query() query: unknown): Promise<{ items: AuditRecordView[]; nextCursor: string | null }> {
    return this.audit.list(principal.tenantId, parseQuery(auditListQuery, query));
  }
}
