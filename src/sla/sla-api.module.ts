import { Module } from '@nestjs/common';
import { EscalationPoliciesController, OncallNowController, OncallRotasController, SlaCalendarsController, SlaPoliciesController } from './sla.controller.js';
import { SlaRepository } from './sla.repository.js';
import { SlaService } from './sla.service.js';

/** The SLA, on-call and escalation API. */
@Module({
  controllers: [SlaPoliciesController, SlaCalendarsController, OncallRotasController, OncallNowController, EscalationPoliciesController],
  providers: [SlaRepository, SlaService],
  exports: [SlaService],
})
export class SlaApiModule {}
