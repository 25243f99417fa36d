import { z } from 'zod';
import type { ActionContext } from '../core/action.js';
import { joinUrl, responseData, responseStatus } from '../core/define-action.js';
import { withBearerToken } from '../core/oauth-token-cache.js';
import { DEFENDER_SCOPE, entraCredentials } from '../entra/entra-token.js';

export const isolationInput = z.strictObject({
  machineId: z
    .string()
    .regex(/^[0-9a-fA-F]{40}$/, 'expected a 40-character Defender machine ID')
    .describe('Defender for Endpoint machine ID'),
  comment: z.string().min(1).max(1000).describe('Reason, recorded with the machine action'),
  isolationType: z.enum(['Full', 'Selective']).default('Full').describe('Isolation type (ignored when releasing)'),
});
export type IsolationInput = z.output<typeof isolationInput>;

export const isolationOutput = z.object({
  machineId: z.string(),
  machineActionId: z.string().nullable(),
  type: z.enum(['Isolate', 'Unisolate']),
  status: z.string(),
  alreadyInState: z.boolean(),
});

const machineAction = z.object({ id: z.string(), type: z.string(), status: z.string(), machineId: z.string().optional() }).loose();

/**
 * `POST /api/machines/{id}/isolate|unisolate`. Defender refuses a second request while the same
 * kind of action is pending or in effect (`ActiveRequestAlreadyExists`); Vigil treats that as
 * the goal already met, so the step is safe to repeat.
 */
export async function machineIsolationAction(ctx: ActionContext, actionKey: string, input: IsolationInput, release: boolean): Promise<z.input<typeof isolationOutput>> {
  const machineId = input.machineId.toLowerCase();
  const path = `/api/machines/${machineId}/${release ? 'unisolate' : 'isolate'}`;
  const body = release ? { Comment: input.comment } : { Comment: input.comment, IsolationType: input.isolationType };
  const type = release ? 'Unisolate' : 'Isolate';
  try {
    const res = await withBearerToken(ctx.http, entraCredentials(ctx, actionKey, DEFENDER_SCOPE, 'defender'), ctx.signal, (token) =>
      ctx.http.post<unknown>(joinUrl(ctx.connection.baseUrl, path), body, {
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', 'Content-Type': 'application/json' },
        signal: ctx.signal,
      }),
    );
    const action = machineAction.parse(res.data);
    return { machineId, machineActionId: action.id, type, status: action.status, alreadyInState: false };
  } catch (err) {
    const data = responseData(err);
    const code = data && typeof data === 'object' && 'error' in data ? (data as { error?: { code?: unknown } }).error?.code : undefined;
    if (responseStatus(err) === 400 && code === 'ActiveRequestAlreadyExists') {
      return { machineId, machineActionId: null, type, status: 'AlreadyInState', alreadyInState: true };
    }
    throw err;
  }
}
