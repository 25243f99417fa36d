import { z } from 'zod';
import { defineAction, joinUrl } from '../core/define-action.js';
import { idempotencyUuid } from '../core/idempotency.js';
import { withGraphToken } from './entra-token.js';
import { graphUserInput } from './graph-user.js';

export const revokeSessionsAction = defineAction({
  key: 'entra.revoke_sessions',
  vendor: 'entra',
  title: 'Entra ID: revoke sign-in sessions',
  docUrl: 'https://learn.microsoft.com/en-us/graph/api/user-revokesigninsessions',
  // Irreversible (sessions cannot be restored), so it has no inverse and is not a containment action.
  kind: 'utility',
  input: graphUserInput,
  output: z.object({ userId: z.string(), revoked: z.boolean() }),
  secrets: ['clientId', 'clientSecret'],
  describeTarget: (input) => `user ${input.userId}`,
  async run(input, ctx) {
    const res = await withGraphToken(ctx, 'entra.revoke_sessions', (headers) =>
      ctx.http.post<unknown>(joinUrl(ctx.connection.baseUrl, `/v1.0/users/${encodeURIComponent(input.userId)}/revokeSignInSessions`), undefined, {
        headers: { ...headers, 'client-request-id': idempotencyUuid(ctx.idempotencyKey) },
        signal: ctx.signal,
      }),
    );
    const body = z.object({ value: z.boolean() }).loose().parse(res.data);
    return { userId: input.userId, revoked: body.value };
  },
});
