import { z } from 'zod';
import type { ActionContext } from '../core/action.js';
import { joinUrl, secret } from '../core/define-action.js';

export const dedupKey = z.string().min(1).max(255).describe('Deduplication key correlating trigger and resolve');

export const eventOutput = z.object({
  status: z.string(),
  message: z.string(),
  dedupKey: z.string(),
});

const enqueueResponse = z.object({ status: z.string(), message: z.string(), dedup_key: z.string().optional() }).loose();

/** `POST /v2/enqueue`; the routing key travels in the body, as the Events API v2 defines. */
export async function enqueueEvent(ctx: ActionContext, event: Record<string, unknown>, key: string): Promise<z.input<typeof eventOutput>> {
  const res = await ctx.http.post<unknown>(
    joinUrl(ctx.connection.baseUrl, '/v2/enqueue'),
    { routing_key: secret(ctx, 'routingKey'), dedup_key: key, ...event },
    { headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, signal: ctx.signal },
  );
  const body = enqueueResponse.parse(res.data);
  return { status: body.status, message: body.message, dedupKey: body.dedup_key ?? key };
}
