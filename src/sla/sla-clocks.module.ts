import { Module } from '@nestjs/common';
import { SlaClockRepository } from './sla-clock.repository.js';
import { SlaClockService } from './sla-clock.service.js';
import { SlaFactsRepository } from './sla-facts.repository.js';
import { SlaMetrics } from './sla-metrics.js';
import { SlaRepository } from './sla.repository.js';
import { SlaService } from './sla.service.js';

/** What both processes need of SLA: planning (policies, calendars, rotas), the stored clocks, their facts and metrics. */
@Module({
  providers: [SlaRepository, SlaService, SlaClockRepository, SlaFactsRepository, SlaMetrics, SlaClockService],
  exports: [SlaRepository, SlaService, SlaClockRepository, SlaFactsRepository, SlaMetrics, SlaClockService],
})
export class SlaClocksModule {}
