import { z } from 'zod';
import type { ActionContext } from '../core/action.js';
import { responseData, responseStatus, secret } from '../core/define-action.js';
import { errorFromResponse } from '../core/http-errors.js';
import { idempotencyUuid } from '../core/idempotency.js';

/** Media types of the OpenC2 HTTPS transfer specification, version 1.0. */
export const OPENC2_COMMAND_TYPE = 'application/openc2-cmd+json;version=1.0';
export const OPENC2_RESPONSE_TYPE = 'application/openc2-rsp+json;version=1.0';
/** The media type of OpenC2 messages (request/response envelopes) in the HTTPS transfer specification 1.1. */
export const OPENC2_MESSAGE_TYPE = 'application/openc2+json;version=1.0';

export const slpfNetInput = z.strictObject({
  ipv4Net: z.union([z.ipv4(), z.cidrv4()]).describe('IPv4 address or CIDR network (source or destination)'),
  direction: z.enum(['both', 'ingress', 'egress']).optional().describe('Traffic direction; the actuator applies both when omitted'),
  durationMs: z
    .number()
    .int()
    .positive()
    .max(366 * 24 * 3600 * 1000)
    .optional()
    .describe('How long the rule stays in effect (OpenC2 duration, milliseconds)'),
});
export type SlpfNetInput = z.output<typeof slpfNetInput>;

export const slpfRuleOutput = z.object({
  status: z.number().int(),
  ruleNumber: z.number().int().nullable(),
  alreadyInState: z.boolean(),
  requestId: z.string(),
});

const openC2Response = z
  .object({
    status: z.number().int(),
    status_text: z.string().optional(),
    results: z
      .object({ slpf: z.object({ rule_number: z.number().int().optional() }).loose().optional() })
      .loose()
      .optional(),
  })
  .loose();
export type OpenC2Response = z.output<typeof openC2Response>;

/** Actuator specifiers (asset_id, named_group, hostname) taken from the connection settings. */
function actuatorSpecifiers(ctx: ActionContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['asset_id', 'named_group', 'hostname'] as const) {
    const value = ctx.connection.settings[name] ?? ctx.connection.settings[name.replace(/_(\w)/, (_m, c: string) => c.toUpperCase())];
    if (typeof value === 'string' && value !== '') out[name] = value;
  }
  return out;
}

/**
 * Sends one OpenC2 command to the SLPF actuator and returns its response. The OpenC2 status in
 * the body is authoritative: a 200 transport response may carry status 400/404/500/501, which
 * the caller classifies.
 * `X-Request-ID` is derived from the idempotency key, so a repeated step sends the same id.
 */
export async function sendOpenC2Command(ctx: ActionContext, command: Record<string, unknown>): Promise<{ response: OpenC2Response; requestId: string }> {
  const requestId = idempotencyUuid(ctx.idempotencyKey);
  const body = { ...command, actuator: { slpf: actuatorSpecifiers(ctx) } };
  let data: unknown;
  try {
    const res = await ctx.http.post<unknown>(ctx.connection.baseUrl, body, {
      headers: {
        'Content-Type': OPENC2_COMMAND_TYPE,
        Accept: OPENC2_RESPONSE_TYPE,
        Authorization: `Bearer ${secret(ctx, 'bearerToken')}`,
        'X-Request-ID': requestId,
      },
      signal: ctx.signal,
    });
    data = res.data;
  } catch (err) {
    // Consumers may mirror the OpenC2 status on the HTTP status; the body still says what happened.
    const status = responseStatus(err);
    const parsed = openC2Response.safeParse(responseData(err));
    if (status === undefined || !parsed.success || status === 401 || status === 403 || status === 429) throw err;
    return { response: parsed.data, requestId };
  }
  // Callers judge the OpenC2 status: a delete answered 404 is success for them.
  return { response: openC2Response.parse(data), requestId };
}

export function netCommand(action: 'deny' | 'allow', input: SlpfNetInput): Record<string, unknown> {
  const slpf: Record<string, string> = {};
  if (input.direction) slpf['direction'] = input.direction;
  const args: Record<string, unknown> = { response_requested: 'complete' };
  if (input.durationMs !== undefined) args['duration'] = input.durationMs;
  if (Object.keys(slpf).length > 0) args['slpf'] = slpf;
  return { action, target: { ipv4_net: input.ipv4Net }, args };
}

export async function sendNetCommand(ctx: ActionContext, action: 'deny' | 'allow', input: SlpfNetInput): Promise<z.input<typeof slpfRuleOutput>> {
  const { response, requestId } = await sendOpenC2Command(ctx, netCommand(action, input));
  if (response.status >= 400) throw errorFromResponse(response.status, undefined, response, { vendor: 'openc2', secrets: ctx.connection.secrets });
  return { status: response.status, ruleNumber: response.results?.slpf?.rule_number ?? null, alreadyInState: false, requestId };
}

/**
 * Sends one OpenC2 command wrapped in an OpenC2 message, as the HTTPS transfer specification 1.1
 * writes it (`{headers: {request_id, created, from}, body: {openc2: {request}}}`, media type
 * OPENC2_MESSAGE_TYPE), and reads the response from the answer's `body.openc2.response`. The request
 * id is derived from the idempotency key, so a repeated step sends the same id.
 */
export async function sendOpenC2Message(ctx: ActionContext, request: Record<string, unknown>): Promise<{ response: OpenC2Response; requestId: string }> {
  const requestId = idempotencyUuid(ctx.idempotencyKey);
  const message = { headers: { request_id: requestId, created: Date.now(), from: 'vigil' }, body: { openc2: { request } } };
  const unwrap = (data: unknown): unknown => {
    const body = typeof data === 'object' && data !== null ? (data as Record<string, unknown>)['body'] : undefined;
    const openc2 = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['openc2'] : undefined;
    return typeof openc2 === 'object' && openc2 !== null ? (openc2 as Record<string, unknown>)['response'] : undefined;
  };
  let data: unknown;
  try {
    const res = await ctx.http.post<unknown>(ctx.connection.baseUrl, message, {
      headers: { 'Content-Type': OPENC2_MESSAGE_TYPE, Accept: OPENC2_MESSAGE_TYPE, Authorization: `Bearer ${secret(ctx, 'bearerToken')}`, 'X-Request-ID': requestId },
      signal: ctx.signal,
    });
    data = res.data;
  } catch (err) {
    const status = responseStatus(err);
    const parsed = openC2Response.safeParse(unwrap(responseData(err)));
    if (status === undefined || !parsed.success || status === 401 || status === 403 || status === 429) throw err;
    return { response: parsed.data, requestId };
  }
  return { response: openC2Response.parse(unwrap(data)), requestId };
}
