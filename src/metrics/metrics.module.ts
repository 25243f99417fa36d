import { Module } from '@nestjs/common';
import { MetricsAccess } from './metrics-access.js';
import { MetricsExposition } from './metrics-exposition.service.js';
import { MetricsController } from './metrics.controller.js';

/** What both processes need to expose metrics: the access rule and the exposition. */
@Module({ providers: [MetricsAccess, MetricsExposition], exports: [MetricsAccess, MetricsExposition] })
export class MetricsModule {}

/** The API's routes: `GET /metrics`. */
@Module({ imports: [MetricsModule], controllers: [MetricsController] })
export class MetricsApiModule {}
