import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ADMIN_ROLES, CurrentPrincipal, type Principal, READ_ROLES, Roles } from '../common/auth/principal.js';
import { Origin, type RequestOrigin } from '../common/http/request-origin.js';
import { parseBody, parseQuery } from '../common/http/request-validation.js';
import {
  calendarBody,
  type CalendarView,
  escalationBody,
  type EscalationView,
  onDutyQuery,
  type OnDutyView,
  policyBody,
  type PolicyView,
  rotaBody,
  type RotaView,
} from './sla.schemas.js';
import { SlaService } from './sla.service.js';

/*
 * The SLA, on-call and escalation API: the same five routes per resource (the service's resource
 * objects carry what differs), on the caller's tenant; read roles read, admins write. MSSP-wide
 * rows are read by every tenant and written by MSSP operators on the provider's tenant.
 */

/** SLA policies per severity. */
@Controller('api/v1/sla/policies')
export class SlaPoliciesController {
  constructor(@Inject(SlaService) private readonly sla: SlaService) {}

  @Get()
  @Roles(...READ_ROLES)
  list(@CurrentPrincipal() principal: Principal): Promise<{ items: PolicyView[] }> {
    return this.sla.list(this.sla.policies, principal);
  }

  @Get(':id')
  @Roles(...READ_ROLES)
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<PolicyView> {
    return this.sla.get(this.sla.policies, principal, id);
  }

  @Post()
  @HttpCode(201)
  @Roles(...ADMIN_ROLES)
  create(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Req() req: Request): Promise<PolicyView> {
    return this.sla.create(this.sla.policies, principal, origin, parseBody(policyBody, req));
  }

  @Put(':id')
  @Roles(...ADMIN_ROLES)
  replace(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Param('id') id: string, @Req() req: Request): Promise<PolicyView> {
    return this.sla.replace(this.sla.policies, principal, origin, id, parseBody(policyBody, req));
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles(...ADMIN_ROLES)
  async remove(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Param('id') id: string): Promise<void> {
    await this.sla.remove(this.sla.policies, principal, origin, id);
  }
}

/** Business calendars the SLA clocks count in. */
@Controller('api/v1/sla/calendars')
export class SlaCalendarsController {
  constructor(@Inject(SlaService) private readonly sla: SlaService) {}

  @Get()
  @Roles(...READ_ROLES)
  list(@CurrentPrincipal() principal: Principal): Promise<{ items: CalendarView[] }> {
    return this.sla.list(this.sla.calendars, principal);
  }

  @Get(':id')
  @Roles(...READ_ROLES)
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<CalendarView> {
    return this.sla.get(this.sla.calendars, principal, id);
  }

  @Post()
  @HttpCode(201)
  @Roles(...ADMIN_ROLES)
  create(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Req() req: Request): Promise<CalendarView> {
    return this.sla.create(this.sla.calendars, principal, origin, parseBody(calendarBody, req));
  }

  @Put(':id')
  @Roles(...ADMIN_ROLES)
  replace(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Param('id') id: string, @Req() req: Request): Promise<CalendarView> {
    return this.sla.replace(this.sla.calendars, principal, origin, id, parseBody(calendarBody, req));
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles(...ADMIN_ROLES)
  async remove(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Param('id') id: string): Promise<void> {
    await this.sla.remove(this.sla.calendars, principal, origin, id);
  }
}

/** On-call rotas. */
@Controller('api/v1/oncall/rotas')
export class OncallRotasController {
  constructor(@Inject(SlaService) private readonly sla: SlaService) {}

  @Get()
  @Roles(...READ_ROLES)
  list(@CurrentPrincipal() principal: Principal): Promise<{ items: RotaView[] }> {
    return this.sla.list(this.sla.rotas, principal);
  }

  @Get(':id')
  @Roles(...READ_ROLES)
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<RotaView> {
    return this.sla.get(this.sla.rotas, principal, id);
  }

  @Post()
  @HttpCode(201)
  @Roles(...ADMIN_ROLES)
  create(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Req() req: Request): Promise<RotaView> {
    return this.sla.create(this.sla.rotas, principal, origin, parseBody(rotaBody, req));
  }

  @Put(':id')
  @Roles(...ADMIN_ROLES)
  replace(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Param('id') id: string, @Req() req: Request): Promise<RotaView> {
    return this.sla.replace(this.sla.rotas, principal, origin, id, parseBody(rotaBody, req));
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles(...ADMIN_ROLES)
  async remove(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Param('id') id: string): Promise<void> {
    await this.sla.remove(this.sla.rotas, principal, origin, id);
  }
}

/** Escalation policies. */
@Controller('api/v1/escalation-policies')
export class EscalationPoliciesController {
  constructor(@Inject(SlaService) private readonly sla: SlaService) {}

  @Get()
  @Roles(...READ_ROLES)
  list(@CurrentPrincipal() principal: Principal): Promise<{ items: EscalationView[] }> {
    return this.sla.list(this.sla.escalations, principal);
  }

  @Get(':id')
  @Roles(...READ_ROLES)
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<EscalationView> {
    return this.sla.get(this.sla.escalations, principal, id);
  }

  @Post()
  @HttpCode(201)
  @Roles(...ADMIN_ROLES)
  create(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Req() req: Request): Promise<EscalationView> {
    return this.sla.create(this.sla.escalations, principal, origin, parseBody(escalationBody, req));
  }

  @Put(':id')
  @Roles(...ADMIN_ROLES)
  replace(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Param('id') id: string, @Req() req: Request): Promise<EscalationView> {
    return this.sla.replace(this.sla.escalations, principal, origin, id, parseBody(escalationBody, req));
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles(...ADMIN_ROLES)
  async remove(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Param('id') id: string): Promise<void> {
    await this.sla.remove(this.sla.escalations, principal, origin, id);
  }
}

/** Who is on duty now (or at an instant). */
@Controller('api/v1/oncall')
export class OncallNowController {
  constructor(@Inject(SlaService) private readonly sla: SlaService) {}

  @Get('now')
  @Roles(...READ_ROLES)
  now(@CurrentPrincipal() principal: Principal, @Query() query: unknown): Promise<OnDutyView> {
    return this.sla.onDuty(principal, parseQuery(onDutyQuery, query));
  }
}
