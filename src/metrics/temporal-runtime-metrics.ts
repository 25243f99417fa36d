import { localTemporalExporterPort } from '../common/metrics/vigil-metrics.js';

/**
 * The Temporal SDK's own series (workflow task latency, activity failures, poller and slot gauges)
 * come from its Rust core, which exposes them only through its own Prometheus exporter. Vigil binds
 * that exporter to a loopback port (`VIGIL_TEMPORAL_METRICS_PORT`) and appends its text to the
 * process's `/metrics`, so they share one endpoint and one access rule.
 */
export async function temporalRuntimeMetrics(): Promise<string> {
  // Only the process that installed the exporter appends it: another process on the machine would report the worker's series twice.
  const port = localTemporalExporterPort();
  if (port === undefined) return '';
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2_000) });
    if (!res.ok) return `# Temporal SDK metrics unavailable: HTTP ${res.status}\n`;
    return await res.text();
  } catch (error) {
    // The exporter starts with the first worker; before that (or on an API-only process) there is nothing to add.
    return `# Temporal SDK metrics unavailable: ${error instanceof Error ? error.message : String(error)}\n`;
  }
}
