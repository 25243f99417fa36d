import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Vigil's Prometheus series of one process, in one registry (never prom-client's global one, so a
 * test or a library cannot add to what operators scrape). Labels are bounded: tenant slugs, sources,
 * outcomes, route patterns, clocks and severities; never case, alert or key ids.
 */
export const vigilRegistry = new Registry();
collectDefaultMetrics({ register: vigilRegistry, prefix: 'vigil_' });

/** What became of an alert a delivery carried. */
export type IngestOutcome = 'accepted' | 'duplicate' | 'rejected' | 'acknowledged';

/** Alerts received, by tenant, source and outcome (a refused delivery counts once, as `rejected`). */
export const alertsReceived = new Counter({
  name: 'vigil_alerts_received_total',
  help: 'Alerts received over the ingest API, by tenant, source and outcome (accepted, duplicate, rejected, acknowledged handshake).',
  labelNames: ['tenant', 'source', 'outcome'] as const,
  registers: [vigilRegistry],
});

/** HTTP request durations by method, route pattern (never the raw path) and status class. */
export const httpRequestDuration = new Histogram({
  name: 'vigil_http_request_duration_seconds',
  help: 'Duration of HTTP requests to the API, by method, route pattern and status code.',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [vigilRegistry],
});

let temporalExporterPort: number | undefined;

/** The worker factory says where it bound the Temporal SDK's exporter in this process (once per process). */
export function setTemporalExporterPort(port: number): void {
  temporalExporterPort = port;
}

/** The loopback port of this process's Temporal SDK exporter; undefined when this process runs no worker with one. */
export function localTemporalExporterPort(): number | undefined {
  return temporalExporterPort;
}
