import type { ActionContext } from '../core/action.js';
import { joinUrl, secret } from '../core/define-action.js';

/** POSTs JSON to a MISP endpoint with the automation key, as MISP's REST API expects. */
export async function mispPost(ctx: ActionContext, path: string, body: unknown): Promise<unknown> {
  const res = await ctx.http.post<unknown>(joinUrl(ctx.connection.baseUrl, path), body, {
    headers: {
      Authorization: secret(ctx, 'apiKey'),
      Accept: 'application/json',
      'Content-Type': 'application/json',
    },
    signal: ctx.signal,
  });
  return res.data;
}
