import { randomBytes } from 'node:crypto';
import { SIMULATOR_CREDENTIALS } from '../credentials.js';
import { isRecord, json, type SimContext, type SimRequest, type SimResponse, type VendorSimulator } from '../sim-types.js';

function invalid(errors: string[]): SimResponse {
  return json(400, { status: 'invalid event', message: 'Event object is invalid', errors });
}

const SEVERITIES = ['critical', 'error', 'warning', 'info'];

export const pagerDutySimulator: VendorSimulator = {
  name: 'pagerduty',
  errorBody: (status, message) =>
    status === 429 ? { status: 'throttle event', message: 'Requests for this service are arriving too quickly.  Please retry later.' } : { status: 'unrecognized object', message },
  handle(req: SimRequest, ctx: SimContext): SimResponse {
    if (req.path !== '/v2/enqueue' || req.method !== 'POST') return json(404, { status: 'not found', message: 'Not found' });
    if (!isRecord(req.body)) return json(400, { status: 'invalid event', message: 'Event object is invalid', errors: ['Request body is not a JSON object'] });
    const e = req.body;
    if (e['routing_key'] !== SIMULATOR_CREDENTIALS.pagerduty.routingKey) return invalid(["'routing_key' is invalid"]);
    const action = e['event_action'];
    if (action !== 'trigger' && action !== 'acknowledge' && action !== 'resolve') return invalid(["'event_action' is missing or invalid"]);
    const given = typeof e['dedup_key'] === 'string' && e['dedup_key'] !== '' ? e['dedup_key'] : undefined;
    if (given !== undefined && given.length > 255) return invalid(["'dedup_key' must be 255 characters or fewer"]);
    if (action !== 'trigger' && given === undefined) return invalid(["'dedup_key' is missing or blank"]);
    const dedupKey = given ?? randomBytes(16).toString('hex');
    if (action === 'trigger') {
      const p = isRecord(e['payload']) ? e['payload'] : undefined;
      const errs: string[] = [];
      if (!p) errs.push("'payload' is missing or invalid");
      else {
        if (typeof p['summary'] !== 'string' || p['summary'].trim() === '') errs.push("'payload.summary' is missing or blank");
        if (typeof p['source'] !== 'string' || p['source'].trim() === '') errs.push("'payload.source' is missing or blank");
        if (typeof p['severity'] !== 'string' || !SEVERITIES.includes(p['severity'])) errs.push("'payload.severity' is missing or invalid");
      }
      if (errs.length > 0 || !p) return invalid(errs);
      const existing = ctx.state.pagerdutyAlerts.get(dedupKey);
      // A trigger for an open alert with the same dedup_key is folded into it, as PagerDuty does.
      ctx.state.pagerdutyAlerts.set(dedupKey, {
        dedupKey,
        status: existing && existing.status !== 'resolved' ? existing.status : 'triggered',
        summary: String(p['summary']),
        severity: String(p['severity']),
        source: String(p['source']),
        events: (existing?.events ?? 0) + 1,
      });
    } else {
      const existing = ctx.state.pagerdutyAlerts.get(dedupKey);
      if (existing) ctx.state.pagerdutyAlerts.set(dedupKey, { ...existing, status: action === 'resolve' ? 'resolved' : 'acknowledged', events: existing.events + 1 });
    }
    return json(202, { status: 'success', message: 'Event processed', dedup_key: dedupKey });
  },
};
