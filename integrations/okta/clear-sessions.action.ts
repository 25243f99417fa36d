import { z } from 'zod';
import { defineAction } from '../core/define-action.js';
import { oktaHeaders, oktaUserId, oktaUserUrl } from './okta-api.js';

export const clearSessionsAction = defineAction({
  key: 'okta.clear_sessions',
  vendor: 'okta',
  title: 'Okta: clear user sessions',
  docUrl: 'https://developer.okta.com/docs/api/openapi/okta-management/management/tag/UserSessions/#tag/UserSessions/operation/revokeUserSessions',
  // Irreversible (sessions cannot be restored), so no inverse; safe to repeat (204 every time).
  kind: 'utility',
  input: z.strictObject({
    userId: oktaUserId,
    oauthTokens: z.boolean().default(false).describe('Also revoke OpenID Connect and OAuth refresh and access tokens'),
  }),
  output: z.object({ userId: z.string(), cleared: z.boolean(), oauthTokensRevoked: z.boolean() }),
  secrets: ['apiToken'],
  describeTarget: (input) => `user ${input.userId}`,
  async run(input, ctx) {
    await ctx.http.delete(oktaUserUrl(ctx, input.userId, '/sessions'), {
      params: input.oauthTokens ? { oauthTokens: 'true' } : undefined,
      headers: oktaHeaders(ctx),
      signal: ctx.signal,
    });
    return { userId: input.userId, cleared: true, oauthTokensRevoked: input.oauthTokens };
  },
});
