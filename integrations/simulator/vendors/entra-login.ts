import { randomUUID } from 'node:crypto';
import { json, type SimContext, type SimRequest, type SimResponse } from '../sim-types.js';
import { formFields, issueToken } from './tokens.js';

export interface EntraApp {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  scope: string;
}

function entraError(status: number, error: string, description: string, code: number): SimResponse {
  return json(status, {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${randomUUID()} Correlation ID: ${randomUUID()} Timestamp: ${new Date().toISOString()}`,
    error_codes: [code],
    timestamp: new Date().toISOString(),
    trace_id: randomUUID(),
    correlation_id: randomUUID(),
  });
}

/** `POST /login/{tenant}/oauth2/v2.0/token` (client credentials), as Entra ID answers it. */
export function entraToken(req: SimRequest, ctx: SimContext, vendor: string, app: EntraApp): SimResponse | undefined {
  const m = /^\/login\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(req.path);
  if (!m?.[1]) return undefined;
  if (req.method !== 'POST') return entraError(405, 'invalid_request', 'The request method is not supported.', 900561);
  const tenant = decodeURIComponent(m[1]);
  if (tenant !== app.tenantId) return entraError(400, 'invalid_request', `Tenant '${tenant}' not found.`, 90002);
  const form = formFields(req.body);
  if (form['grant_type'] !== 'client_credentials') return entraError(400, 'unsupported_grant_type', 'The provided value for the input parameter grant_type is not valid.', 70003);
  if (form['client_id'] !== app.clientId)
    return entraError(400, 'unauthorized_client', `Application with identifier '${form['client_id'] ?? ''}' was not found in the directory.`, 700016);
  if (form['client_secret'] !== app.clientSecret)
    return entraError(
      401,
      'invalid_client',
      'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
      7000215,
    );
  if (form['scope'] !== app.scope) return entraError(400, 'invalid_scope', `The provided value '${form['scope'] ?? ''}' for the input parameter 'scope' is not valid.`, 70011);
  const lifetime = 3599;
  return json(200, { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: issueToken(ctx, vendor, app.scope, app.clientId, lifetime) });
}
