import { Controller, Get, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Request } from 'express';
import { ApprovalsService } from '../approvals/index.js';
import type { DecisionResult } from '../approvals/index.js';
import { originOf } from '../common/http/request-origin.js';
import { type AcknowledgeResult, SlaClockService } from '../sla/index.js';
import { CurrentPrincipal, type Principal, Public, READ_ROLES, Roles } from '../common/auth/principal.js';
import { type IntegrationView, IntegrationAvailabilityService } from './integration-availability.service.js';
import { SlackInteractionsService } from './slack-interactions.service.js';

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** The action catalogue, and callbacks vendors make into Vigil. */
@Controller('api/v1/integrations')
export class IntegrationsController {
  constructor(
    @Inject(IntegrationAvailabilityService) private readonly catalog: IntegrationAvailabilityService,
    @Inject(SlackInteractionsService) private readonly slack: SlackInteractionsService,
    @Inject(ModuleRef) private readonly modules: ModuleRef,
  ) {}

  @Get()
  @Roles(...READ_ROLES)
  list(@CurrentPrincipal() principal: Principal): Promise<{ items: IntegrationView[] }> {
    return this.catalog.list(principal.tenantId);
  }

  /**
   * Slack's interactivity request URL: a click on an approval button or an SLA page's Acknowledge button. Authenticated by Slack's
   * signature (the signing secret of the tenant's Slack connection), not an API key; the button's
   * approval token then decides as the approver it names, once.
   */
  @Post('slack/interactions')
  @Public()
  @HttpCode(200)
  async slackInteraction(@Req() req: Request): Promise<DecisionResult | AcknowledgeResult> {
    const { decision } = await this.slack.verify({
      rawBody: req.rawBody ?? Buffer.alloc(0),
      timestamp: header(req, 'x-slack-request-timestamp'),
      signature: header(req, 'x-slack-signature'),
    });
    if (decision.decision === 'acknowledge') {
      // An SLA page's button: the signed acknowledgement token names tenant, case and clock.
      const clocks = this.modules.get(SlaClockService, { strict: false });
      return clocks.acknowledgeByToken(decision.approvalToken, `slack:${decision.slackUser.id}`, originOf(req), 'slack');
    }
    // The approvals service lives in the API module; it is looked up across modules rather than provided twice.
    const approvals = this.modules.get(ApprovalsService, { strict: false });
    const who = decision.slackUser.username ?? decision.slackUser.name;
    return approvals.decideByToken(decision.approvalToken, decision.decision, 'slack', originOf(req), `via Slack by ${decision.slackUser.id}${who ? ` (${who})` : ''}`);
  }
}
