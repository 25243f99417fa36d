// What the metrics feature offers the rest of Vigil; other features import from here only.
export { MetricsAccess } from './metrics-access.js';
export { MetricsExposition } from './metrics-exposition.service.js';
export { MetricsApiModule, MetricsModule } from './metrics.module.js';
export { startWorkerMetricsServer, type WorkerMetricsServer } from './worker-metrics-server.js';
export { METRICS_ROUTE_DOCS } from './metrics.openapi.js';
export { COUNTER_SOURCES, type CounterSource } from './counter-sources.js';
