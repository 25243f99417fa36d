import { z } from 'zod';
import type { ActionContext } from '../core/action.js';
import { joinUrl } from '../core/define-action.js';
import { idempotencyUuid } from '../core/idempotency.js';
import { withGraphToken } from './entra-token.js';

/** A user's object ID (GUID) or userPrincipalName. */
export const graphUserId = z
  .string()
  .min(3)
  .max(256)
  .regex(/^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[^\s/@]+@[^\s/@]+)$/, 'expected an object ID (GUID) or userPrincipalName')
  .describe('Entra user object ID or userPrincipalName');

export const graphUserInput = z.strictObject({ userId: graphUserId });

/** Sets `accountEnabled` with `PATCH /v1.0/users/{id}`; setting the current value again is a no-op in Graph. */
export async function setAccountEnabled(ctx: ActionContext, actionKey: string, userId: string, accountEnabled: boolean): Promise<{ userId: string; accountEnabled: boolean }> {
  await withGraphToken(ctx, actionKey, (headers) =>
    ctx.http.patch(
      joinUrl(ctx.connection.baseUrl, `/v1.0/users/${encodeURIComponent(userId)}`),
      { accountEnabled },
      { headers: { ...headers, 'Content-Type': 'application/json', 'client-request-id': idempotencyUuid(ctx.idempotencyKey) }, signal: ctx.signal },
    ),
  );
  return { userId, accountEnabled };
}
