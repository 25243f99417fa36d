import { json, queryValue, type SimRequest, type SimResponse, type VendorSimulator } from '../sim-types.js';

/**
 * A generic HTTP endpoint for `http.request`: echoes the request as JSON. Special paths:
 * `/status/{code}` answers with that status, `/redirect?to=<url>` answers 302 to `to`,
 * `/delay/{ms}` waits (at most 10 s) before echoing.
 */
export const httpEchoSimulator: VendorSimulator = {
  name: 'http',
  errorBody: (_status, message) => ({ error: message }),
  async handle(req: SimRequest): Promise<SimResponse> {
    const echo = { method: req.method, path: req.path, query: req.query, headers: req.headers, body: req.body ?? null };
    const status = /^\/status\/(\d{3})$/.exec(req.path);
    if (status?.[1]) {
      const code = Number(status[1]);
      if (code < 200 || code > 599) return json(400, { error: 'status must be 200–599' });
      return code === 204 || code === 304 ? { status: code } : json(code, { ...echo, status: code });
    }
    if (req.path === '/redirect') {
      const to = queryValue(req.query, 'to');
      if (!to) return json(400, { error: 'to is required' });
      return { status: 302, headers: { location: to, 'content-type': 'text/plain' }, body: `Redirecting to ${to}` };
    }
    const delay = /^\/delay\/(\d+)$/.exec(req.path);
    if (delay?.[1]) await new Promise((r) => setTimeout(r, Math.min(Number(delay[1]), 10_000)));
    return json(200, echo);
  },
};
