import { Module } from '@nestjs/common';
import { SlaClocksModule, SlaMetrics } from '../sla/index.js';
import { COUNTER_SOURCES, type CounterSource } from './counter-sources.js';
import { MetricsAccess } from './metrics-access.js';
import { MetricsExposition } from './metrics-exposition.service.js';
import { MetricsController } from './metrics.controller.js';
import { SlaFiguresController } from './sla-figures.controller.js';
import { SlaFiguresRepository } from './sla-figures.repository.js';
import { SlaFiguresService } from './sla-figures.service.js';

/** What both processes need to expose metrics: the access rule, the exposition, and the counters of the SLA clocks. */
@Module({
  imports: [SlaClocksModule],
  providers: [MetricsAccess, MetricsExposition, { provide: COUNTER_SOURCES, useFactory: (sla: SlaMetrics): CounterSource[] => [sla], inject: [SlaMetrics] }],
  exports: [MetricsAccess, MetricsExposition],
})
export class MetricsModule {}

/** The API's routes: `GET /metrics` and `GET /api/v1/metrics/sla`. */
@Module({ imports: [MetricsModule], controllers: [MetricsController, SlaFiguresController], providers: [SlaFiguresRepository, SlaFiguresService] })
export class MetricsApiModule {}
