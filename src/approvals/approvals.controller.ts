import { Controller, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { Origin, type RequestOrigin } from '../common/http/request-origin.js';
import { parseBody, parseQuery } from '../common/http/request-validation.js';
import type { Role } from '../persistence/entities/api-key.entity.js';
import { ADMIN_ROLES, CurrentPrincipal, type Principal, Public, READ_ROLES, Roles } from '../common/auth/principal.js';
import { approvalListQuery, type ApprovalView, decisionBody, type DecisionResult, linkBody, linkDecisionBody, type LinkResult, type LinkView } from './approval.schemas.js';
import { ApprovalsService } from './approvals.service.js';

/** Roles that may decide at all; each approval level then names which of them it is for. */
export const APPROVER_ROLES: Role[] = ['analyst', 'admin'];

@Controller('api/v1/approvals')
export class ApprovalsController {
  constructor(@Inject(ApprovalsService) private readonly approvals: ApprovalsService) {}

  @Get()
  @Roles(...READ_ROLES)
  list(@CurrentPrincipal() principal: Principal, @Query() query: unknown): Promise<{ items: ApprovalView[] }> {
    return this.approvals.list(principal.tenantId, parseQuery(approvalListQuery, query));
  }

  // Link routes come before `:id` routes; the token is the credential, so they need no API key.
  @Get('links/:token')
  @Public()
  viewLink(@Param('token') token: string): Promise<LinkView> {
    return this.approvals.viewByToken(token);
  }

  @Post('links/:token')
  @HttpCode(200)
  @Public()
  decideByLink(@Param('token') token: string, @Req() req: Request, @Origin() origin: RequestOrigin): Promise<DecisionResult> {
    const body = parseBody(linkDecisionBody, req, { emptyAsObject: true });
    return this.approvals.decideByToken(token, body.decision, 'link', origin, body.comment);
  }

  @Get(':id')
  @Roles(...READ_ROLES)
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<ApprovalView> {
    return this.approvals.get(principal.tenantId, id);
  }

  @Post(':id/decision')
  @HttpCode(200)
  @Roles(...APPROVER_ROLES)
  decide(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Req() req: Request, @Origin() origin: RequestOrigin): Promise<DecisionResult> {
    return this.approvals.decide(principal, origin, id, parseBody(decisionBody, req));
  }

  /** Minting a link vouches for the approver's identity and roles, so only admins may. */
  @Post(':id/links')
  @HttpCode(201)
  @Roles(...ADMIN_ROLES)
  createLink(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Req() req: Request, @Origin() origin: RequestOrigin): Promise<LinkResult> {
    return this.approvals.createLink(principal, origin, id, parseBody(linkBody, req));
  }
}
