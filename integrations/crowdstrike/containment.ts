import { z } from 'zod';
import type { ActionContext } from '../core/action.js';
import { joinUrl, responseData, responseStatus } from '../core/define-action.js';
import { errorFromResponse } from '../core/http-errors.js';
import { falconDeviceIds, falconEnvelope, withFalconToken } from './falcon-api.js';

export const containmentInput = z.strictObject({
  deviceIds: falconDeviceIds,
});
export type ContainmentInput = z.output<typeof containmentInput>;

export const containmentOutput = z.object({
  action: z.enum(['contain', 'lift_containment']),
  requested: z.array(z.string()),
  accepted: z.array(z.string()).describe('Hosts the action was accepted for'),
  alreadyInState: z.array(z.string()).describe('Hosts Falcon reported as already in the requested state'),
});

/** Falcon's wording when a host is already (un)contained; such errors mean the goal is met. */
const ALREADY_PATTERN = /already|not currently contained|is not contained/i;

export function describeHosts(input: ContainmentInput): string {
  return input.deviceIds.length === 1 ? `host ${input.deviceIds[0]}` : `${input.deviceIds.length} hosts (${input.deviceIds.join(', ')})`;
}

/**
 * `POST /devices/entities/devices-actions/v2?action_name=…` with `{ids}`. Repeating it is safe:
 * a host already in the requested state is reported in `alreadyInState`, not as a failure.
 */
export async function performContainmentAction(ctx: ActionContext, action: 'contain' | 'lift_containment', input: ContainmentInput): Promise<z.input<typeof containmentOutput>> {
  const ids = [...new Set(input.deviceIds.map((id) => id.toLowerCase()))];
  const url = `${joinUrl(ctx.connection.baseUrl, '/devices/entities/devices-actions/v2')}?action_name=${action}`;
  let body: unknown;
  let status: number;
  let headers: unknown;
  try {
    const res = await withFalconToken(ctx, (authHeaders) =>
      ctx.http.post<unknown>(url, { ids }, { headers: { ...authHeaders, 'Content-Type': 'application/json' }, signal: ctx.signal }),
    );
    body = res.data;
    status = res.status;
    headers = res.headers;
  } catch (err) {
    // Falcon answers 409 (or 400) with an `errors` list when every host is already in the state.
    const s = responseStatus(err);
    if (s !== 400 && s !== 409) throw err;
    body = responseData(err);
    status = s;
    headers = undefined;
  }
  const envelope = falconEnvelope.parse(body ?? {});
  const accepted = (envelope.resources ?? [])
    .map((r) => (r && typeof r === 'object' && 'id' in r ? String((r as { id: unknown }).id) : undefined))
    .filter((id): id is string => id !== undefined);
  const errors = envelope.errors ?? [];
  const already = errors.filter((e) => ALREADY_PATTERN.test(e.message));
  const real = errors.filter((e) => !ALREADY_PATTERN.test(e.message));
  if (real.length > 0 || (status >= 400 && already.length === 0)) {
    const failing = real[0];
    throw errorFromResponse(
      status >= 400 ? status : (failing?.code ?? 500),
      headers,
      { errors: real.length > 0 ? real : errors },
      { vendor: 'crowdstrike', secrets: ctx.connection.secrets },
    );
  }
  const alreadyIds = already.map((e) => e.id).filter((id): id is string => id !== undefined);
  const alreadyInState = alreadyIds.length > 0 ? alreadyIds : already.length > 0 ? ids.filter((id) => !accepted.includes(id)) : [];
  return { action, requested: ids, accepted, alreadyInState };
}
