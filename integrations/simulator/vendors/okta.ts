import { createHash, randomBytes } from 'node:crypto';
import { SIMULATOR_CREDENTIALS } from '../credentials.js';
import { json, noContent, type SimContext, type SimRequest, type SimResponse, type VendorSimulator } from '../sim-types.js';
import type { OktaUser } from '../state.js';
import { isUnknownIdentifier } from '../verdicts.js';

function oktaError(status: number, errorCode: string, errorSummary: string, causes: string[] = []): SimResponse {
  return json(status, {
    errorCode,
    errorSummary,
    errorLink: errorCode,
    errorId: `oae${randomBytes(11).toString('base64url')}`,
    errorCauses: causes.map((c) => ({ errorSummary: c })),
  });
}

const RATE_HEADERS = (now: number): Record<string, string> => ({
  'x-rate-limit-limit': '600',
  'x-rate-limit-remaining': '599',
  'x-rate-limit-reset': String(Math.floor(now / 1000) + 60),
});

function user(ctx: SimContext, idOrLogin: string): OktaUser {
  const id = idOrLogin.startsWith('00u') ? idOrLogin : `00u${createHash('sha256').update(idOrLogin).digest('base64url').replace(/[-_]/g, 'x').slice(0, 17)}`;
  // A short login (not an email) maps to the same derived id every time, so the user keeps its state between calls.
  const existing = ctx.state.oktaUsers.get(idOrLogin) ?? ctx.state.oktaUsers.get(id) ?? [...ctx.state.oktaUsers.values()].find((u) => u.login === idOrLogin.toLowerCase());
  if (existing) return existing;
  const login = idOrLogin.includes('@') ? idOrLogin.toLowerCase() : `${id.toLowerCase()}@corp.example.com`;
  const u: OktaUser = { id, login, status: 'ACTIVE', sessionsCleared: 0, history: [] };
  ctx.state.oktaUsers.set(id, u);
  return u;
}

function userView(u: OktaUser, origin: string): Record<string, unknown> {
  return {
    id: u.id,
    status: u.status,
    created: '2024-06-01T08:00:00.000Z',
    activated: '2024-06-01T08:00:00.000Z',
    statusChanged: u.history.at(-1)?.at ?? '2024-06-01T08:00:00.000Z',
    lastLogin: '2025-01-01T00:00:00.000Z',
    lastUpdated: u.history.at(-1)?.at ?? '2024-06-01T08:00:00.000Z',
    passwordChanged: '2024-06-01T08:00:00.000Z',
    type: { id: 'oty1simulated0000000' },
    profile: { login: u.login, email: u.login, firstName: 'Sim', lastName: 'User' },
    credentials: { provider: { type: 'OKTA', name: 'OKTA' } },
    _links: { self: { href: `${origin}/okta/api/v1/users/${u.id}` } },
  };
}

export const oktaSimulator: VendorSimulator = {
  name: 'okta',
  errorBody: (status, message) => ({
    errorCode: status === 429 ? 'E0000047' : status >= 500 ? 'E0000009' : 'E0000001',
    errorSummary: status === 429 ? 'API call exceeded rate limit due to too many requests.' : message,
    errorLink: status === 429 ? 'E0000047' : 'E0000009',
    errorId: `oae${randomBytes(11).toString('base64url')}`,
    errorCauses: [],
  }),
  handle(req: SimRequest, ctx: SimContext): SimResponse {
    if (req.headers['authorization'] !== `SSWS ${SIMULATOR_CREDENTIALS.okta.apiToken}`) return oktaError(401, 'E0000011', 'Invalid token provided');
    const m = /^\/api\/v1\/users\/([^/]+)(\/lifecycle\/(suspend|unsuspend)|\/sessions)?$/.exec(req.path);
    if (!m?.[1]) return oktaError(404, 'E0000022', `The endpoint does not support the provided HTTP method`);
    const id = decodeURIComponent(m[1]);
    if (isUnknownIdentifier(id)) return oktaError(404, 'E0000007', `Not found: Resource not found: ${id} (User)`);
    const u = user(ctx, id);
    const now = new Date(ctx.now()).toISOString();
    const headers = RATE_HEADERS(ctx.now());
    if (m[3] === 'suspend' || m[3] === 'unsuspend') {
      if (req.method !== 'POST') return oktaError(405, 'E0000022', 'The endpoint does not support the provided HTTP method');
      const suspend = m[3] === 'suspend';
      if (suspend && u.status !== 'ACTIVE') return oktaError(400, 'E0000001', 'Api validation failed: suspend', ['Cannot suspend a user that is not active']);
      if (!suspend && u.status !== 'SUSPENDED') return oktaError(400, 'E0000001', 'Api validation failed: unsuspend', ['Cannot unsuspend a user that is not suspended']);
      u.status = suspend ? 'SUSPENDED' : 'ACTIVE';
      u.history.push({ action: m[3], at: now });
      ctx.state.oktaUsers.set(u.id, u);
      return json(200, {}, headers);
    }
    if (m[2] === '/sessions') {
      if (req.method !== 'DELETE') return oktaError(405, 'E0000022', 'The endpoint does not support the provided HTTP method');
      u.sessionsCleared += 1;
      u.history.push({ action: req.query['oauthTokens'] === 'true' ? 'clearSessions+oauthTokens' : 'clearSessions', at: now });
      return noContent(headers);
    }
    if (req.method === 'GET') return json(200, userView(u, req.origin), headers);
    return oktaError(405, 'E0000022', 'The endpoint does not support the provided HTTP method');
  },
};
