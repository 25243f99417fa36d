import { Module } from '@nestjs/common';
import { SlaAcknowledgementsController } from './sla-clocks.controller.js';
import { SlaClocksModule } from './sla-clocks.module.js';
import { EscalationPoliciesController, OncallNowController, OncallRotasController, SlaCalendarsController, SlaPoliciesController } from './sla.controller.js';

/** The SLA, on-call and escalation API, and acknowledging a clock's paging. */
@Module({
  imports: [SlaClocksModule],
  controllers: [SlaPoliciesController, SlaCalendarsController, OncallRotasController, OncallNowController, EscalationPoliciesController, SlaAcknowledgementsController],
  exports: [SlaClocksModule],
})
export class SlaApiModule {}
