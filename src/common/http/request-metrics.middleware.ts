import type { NextFunction, Request, Response } from 'express';
import { httpRequestDuration } from '../metrics/vigil-metrics.js';

/**
 * Times every request into `vigil_http_request_duration_seconds`. The route label is the matched
 * route pattern (`/api/v1/cases/:id`), never the raw path, so ids do not become series; requests
 * that match no route share the label `unmatched`.
 */
export function requestMetricsMiddleware() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const start = process.hrtime.bigint();
    res.once('finish', () => {
      const pattern = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : 'unmatched';
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      httpRequestDuration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
    });
    next();
  };
}
