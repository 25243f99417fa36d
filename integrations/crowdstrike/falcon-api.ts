import { z } from 'zod';
import type { ActionContext } from '../core/action.js';
import { joinUrl, secret, stringSetting } from '../core/define-action.js';
import { withBearerToken, type ClientCredentials } from '../core/oauth-token-cache.js';

/** Falcon host (agent) IDs are 32 lower-case hex characters. */
export const falconDeviceId = z.string().regex(/^[0-9a-fA-F]{32}$/, 'expected a 32-character Falcon device (agent) ID');

export const falconDeviceIds = z.array(falconDeviceId).min(1).max(100).describe('Falcon device (agent) IDs, 1–100');

/** The envelope every Falcon API response shares. */
export const falconEnvelope = z
  .object({
    meta: z.object({ trace_id: z.string().optional() }).loose().optional(),
    resources: z.array(z.unknown()).nullish(),
    errors: z.array(z.object({ code: z.number().optional(), message: z.string(), id: z.string().optional() }).loose()).nullish(),
  })
  .loose();

export function falconCredentials(ctx: ActionContext): ClientCredentials {
  const memberCid = stringSetting(ctx.connection.settings, 'memberCid');
  return {
    tokenUrl: joinUrl(ctx.connection.baseUrl, '/oauth2/token'),
    clientId: secret(ctx, 'clientId'),
    clientSecret: secret(ctx, 'clientSecret'),
    extraForm: memberCid ? { member_cid: memberCid } : undefined,
    vendor: 'crowdstrike',
  };
}

/** Runs a Falcon API call with a cached OAuth2 bearer token for the connection. */
export function withFalconToken<R>(ctx: ActionContext, call: (headers: Record<string, string>) => Promise<R>): Promise<R> {
  return withBearerToken(ctx.http, falconCredentials(ctx), ctx.signal, (token) => call({ Authorization: `Bearer ${token}`, Accept: 'application/json' }));
}
