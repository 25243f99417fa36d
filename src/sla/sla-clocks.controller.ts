import { Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { notFound } from '../common/errors/vigil-error.js';
import { CASE_WRITE_ROLES, CurrentPrincipal, type Principal, Public, Roles } from '../common/auth/principal.js';
import { Origin, type RequestOrigin } from '../common/http/request-origin.js';
import { type AcknowledgeResult, SlaClockService } from './sla-clock.service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Acknowledging a clock's paging: analysts through the API, the paged through the signed link in their page. */
@Controller('api/v1')
export class SlaAcknowledgementsController {
  constructor(@Inject(SlaClockService) private readonly clocks: SlaClockService) {}

  @Post('cases/:id/sla/:clock/acknowledge')
  @HttpCode(200)
  @Roles(...CASE_WRITE_ROLES)
  acknowledge(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Param('clock') clock: string, @Origin() origin: RequestOrigin): Promise<AcknowledgeResult> {
    if (!UUID.test(id)) return Promise.reject(notFound('case', id));
    return this.clocks.acknowledge(principal.tenantId, id.toLowerCase(), clock, principal.actor, origin);
  }

  @Get('sla/acknowledgements/:token')
  @Public()
  viewLink(@Param('token') token: string): ReturnType<SlaClockService['describeLink']> {
    return this.clocks.describeLink(token);
  }

  @Post('sla/acknowledgements/:token')
  @HttpCode(200)
  @Public()
  acknowledgeByLink(@Param('token') token: string, @Origin() origin: RequestOrigin): Promise<AcknowledgeResult> {
    return this.clocks.acknowledgeByLink(token, origin);
  }
}
