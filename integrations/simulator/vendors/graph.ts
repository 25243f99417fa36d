import { randomUUID } from 'node:crypto';
import { SIMULATOR_CREDENTIALS } from '../credentials.js';
import { isRecord, json, noContent, type SimContext, type SimRequest, type SimResponse, type VendorSimulator } from '../sim-types.js';
import type { GraphUser } from '../state.js';
import { isUnknownIdentifier } from '../verdicts.js';
import { entraToken } from './entra-login.js';
import { checkBearer } from './tokens.js';

export const GRAPH_SIM_SCOPE = 'https://graph.microsoft.com/.default';

function graphError(status: number, code: string, message: string, req?: SimRequest): SimResponse {
  return json(status, {
    error: {
      code,
      message,
      innerError: { date: new Date().toISOString(), 'request-id': randomUUID(), 'client-request-id': req?.headers['client-request-id'] ?? randomUUID() },
    },
  });
}

function user(ctx: SimContext, id: string): GraphUser {
  const key = id.toLowerCase();
  let u = ctx.state.graphUsers.get(key);
  if (!u) {
    const upn = id.includes('@') ? id.toLowerCase() : `user-${key.slice(0, 8)}@corp.example.com`;
    u = { id: key, userPrincipalName: upn, accountEnabled: true, signInSessionsValidFromDateTime: null, revocations: 0, history: [] };
    ctx.state.graphUsers.set(key, u);
  }
  return u;
}

const ALLOWED_PATCH = new Set(['accountEnabled', 'displayName', 'jobTitle', 'department']);

export const graphSimulator: VendorSimulator = {
  name: 'graph',
  errorBody: (status, message) => ({ error: { code: status === 429 ? 'TooManyRequests' : status >= 500 ? 'serviceNotAvailable' : 'BadRequest', message } }),
  handle(req: SimRequest, ctx: SimContext): SimResponse {
    const creds = SIMULATOR_CREDENTIALS.graph;
    const login = entraToken(req, ctx, 'graph', { ...creds, scope: GRAPH_SIM_SCOPE });
    if (login) return login;
    const auth = checkBearer(req, ctx, 'graph', GRAPH_SIM_SCOPE);
    if (!auth.ok) {
      const message =
        auth.reason === 'missing'
          ? 'Access token is empty.'
          : auth.reason === 'audience'
            ? 'Access token validation failure. Invalid audience.'
            : 'Lifetime validation failed, the token is expired or invalid.';
      return graphError(401, 'InvalidAuthenticationToken', message, req);
    }
    const m = /^\/v1\.0\/users\/([^/]+)(\/revokeSignInSessions)?$/.exec(req.path);
    if (!m?.[1]) return graphError(400, 'BadRequest', `Resource not found for the segment '${req.path.split('/').pop() ?? ''}'.`, req);
    const id = decodeURIComponent(m[1]);
    if (isUnknownIdentifier(id)) {
      return graphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`, req);
    }
    const u = user(ctx, id);
    const now = new Date(ctx.now()).toISOString();
    if (m[2]) {
      if (req.method !== 'POST') return graphError(405, 'Request_BadRequest', 'Method not allowed', req);
      u.signInSessionsValidFromDateTime = now;
      u.revocations += 1;
      u.history.push({ action: 'revokeSignInSessions', at: now });
      return json(200, { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#Edm.Boolean', value: true });
    }
    if (req.method === 'GET') {
      return json(200, {
        '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users/$entity',
        id: u.id,
        userPrincipalName: u.userPrincipalName,
        displayName: u.userPrincipalName.split('@')[0],
        accountEnabled: u.accountEnabled,
        signInSessionsValidFromDateTime: u.signInSessionsValidFromDateTime,
      });
    }
    if (req.method === 'PATCH') {
      if (!isRecord(req.body)) return graphError(400, 'BadRequest', 'Empty Payload. JSON content expected.', req);
      for (const key of Object.keys(req.body)) {
        if (!ALLOWED_PATCH.has(key)) return graphError(400, 'Request_BadRequest', `Invalid property '${key}'.`, req);
      }
      const enabled = req.body['accountEnabled'];
      if (enabled !== undefined) {
        if (typeof enabled !== 'boolean') return graphError(400, 'Request_BadRequest', "Invalid value specified for property 'accountEnabled' of resource 'User'.", req);
        if (u.accountEnabled !== enabled) u.history.push({ action: enabled ? 'enable' : 'disable', at: now });
        u.accountEnabled = enabled;
      }
      return noContent();
    }
    return graphError(405, 'Request_BadRequest', 'Method not allowed', req);
  },
};
