import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorBody } from '../common/errors/error-body.js';
import { VigilError } from '../common/errors/vigil-error.js';
import type { MetricsAccess } from './metrics-access.js';
import type { MetricsExposition } from './metrics-exposition.service.js';

export interface WorkerMetricsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * The worker's `/metrics` on its own small HTTP port (`VIGIL_WORKER_METRICS_PORT`), with the API's
 * access rule: the worker is a separate process whose counters (SLA breaches and escalations sent,
 * the Temporal SDK's task latencies and activity failures, its memory) live in its memory, and
 * Prometheus scrapes each process as its own target (one per replica, labelled by instance), which
 * pushing figures through the database could only imitate with a write per event.
 */
export async function startWorkerMetricsServer(options: { host: string; port: number; access: MetricsAccess; exposition: MetricsExposition }): Promise<WorkerMetricsServer> {
  const server: Server = createServer((req, res) => {
    const answer = async (): Promise<void> => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' || path !== '/metrics') throw new VigilError('not_found', 'only GET /metrics is served here');
      await options.access.check(req.headers.authorization);
      const text = await options.exposition.render(false);
      res.writeHead(200, { 'content-type': options.exposition.contentType }).end(text);
    };
    answer().catch((error: unknown) => {
      const e = error instanceof VigilError ? error : new VigilError('internal', 'metrics could not be rendered');
      res.writeHead(e.status, { 'content-type': 'application/json' }).end(JSON.stringify(errorBody(e.code, e.message, e.details)));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
