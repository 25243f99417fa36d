import { z } from 'zod';
import type { ActionContext } from '../core/action.js';
import { joinUrl, responseStatus, secret } from '../core/define-action.js';

/** An Okta user ID (`00u…`) or login; Okta accepts either in user paths. */
export const oktaUserId = z
  .string()
  .min(3)
  .max(256)
  .regex(/^[^\s/?#]+$/, 'expected an Okta user ID or login')
  .describe('Okta user ID (00u…) or login');

export const oktaUserInput = z.strictObject({ userId: oktaUserId });

export function oktaHeaders(ctx: ActionContext): Record<string, string> {
  return { Authorization: `SSWS ${secret(ctx, 'apiToken')}`, Accept: 'application/json', 'Content-Type': 'application/json' };
}

export function oktaUserUrl(ctx: ActionContext, userId: string, suffix = ''): string {
  return joinUrl(ctx.connection.baseUrl, `/api/v1/users/${encodeURIComponent(userId)}${suffix}`);
}

const oktaUser = z.object({ id: z.string(), status: z.string() }).loose();

/**
 * Runs a lifecycle transition (`suspend`, `unsuspend`). Okta refuses a transition from the wrong
 * state with 400 (E0000001); Vigil then reads the user and, if it is already in the target
 * state, reports success, so repeating the step is safe.
 */
export async function lifecycleTransition(
  ctx: ActionContext,
  userId: string,
  operation: 'suspend' | 'unsuspend',
  targetStatus: 'SUSPENDED' | 'ACTIVE',
): Promise<{ userId: string; status: string; alreadyInState: boolean }> {
  try {
    await ctx.http.post(oktaUserUrl(ctx, userId, `/lifecycle/${operation}`), undefined, { headers: oktaHeaders(ctx), signal: ctx.signal });
    return { userId, status: targetStatus, alreadyInState: false };
  } catch (err) {
    if (responseStatus(err) !== 400) throw err;
    const res = await ctx.http.get<unknown>(oktaUserUrl(ctx, userId), { headers: oktaHeaders(ctx), signal: ctx.signal });
    const user = oktaUser.parse(res.data);
    if (user.status === targetStatus) return { userId: user.id, status: user.status, alreadyInState: true };
    throw err;
  }
}
