import type { ActionContext } from '../core/action.js';
import { joinUrl, requireSetting, secret, stringSetting } from '../core/define-action.js';
import { withBearerToken, type ClientCredentials } from '../core/oauth-token-cache.js';

export const DEFAULT_ENTRA_LOGIN_BASE_URL = 'https://login.microsoftonline.com';

/**
 * Entra ID client-credentials settings for a Microsoft connection. The token URL is
 * `settings.tokenUrl` when given, else `{settings.loginBaseUrl}/{settings.tenantId}/oauth2/v2.0/token`
 * (loginBaseUrl defaults to the public cloud; sovereign clouds and the simulator override it).
 */
export function entraCredentials(ctx: ActionContext, actionKey: string, defaultScope: string, vendor: string): ClientCredentials {
  const settings = ctx.connection.settings;
  const explicit = stringSetting(settings, 'tokenUrl');
  const tokenUrl =
    explicit ??
    joinUrl(stringSetting(settings, 'loginBaseUrl', DEFAULT_ENTRA_LOGIN_BASE_URL), `/${encodeURIComponent(requireSetting(settings, 'tenantId', actionKey))}/oauth2/v2.0/token`);
  return {
    tokenUrl,
    clientId: secret(ctx, 'clientId'),
    clientSecret: secret(ctx, 'clientSecret'),
    scope: stringSetting(settings, 'scope', defaultScope),
    sendGrantType: true,
    vendor,
  };
}

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
export const DEFENDER_SCOPE = 'https://api.securitycenter.microsoft.com/.default';

/** Runs a Graph call with an app-only token for the connection's tenant. */
export function withGraphToken<R>(ctx: ActionContext, actionKey: string, call: (headers: Record<string, string>) => Promise<R>): Promise<R> {
  return withBearerToken(ctx.http, entraCredentials(ctx, actionKey, GRAPH_SCOPE, 'entra'), ctx.signal, (token) =>
    call({ Authorization: `Bearer ${token}`, Accept: 'application/json' }),
  );
}
