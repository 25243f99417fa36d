import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { SLACK_ACKNOWLEDGE_ACTION_ID, SLACK_APPROVE_ACTION_ID, SLACK_REJECT_ACTION_ID } from './post-message.action.js';

/** Slack rejects nothing older than this itself; Vigil refuses replays outside the same window. */
export const SLACK_SIGNATURE_TOLERANCE_SECONDS = 5 * 60;
const VERSION = 'v0';

export interface SlackSignatureInput {
  signingSecret: string;
  /** `X-Slack-Request-Timestamp` header (Unix seconds). */
  timestamp: string | undefined;
  /** `X-Slack-Signature` header (`v0=<hex>`). */
  signature: string | undefined;
  /** The request body exactly as received, before any parsing. */
  rawBody: string | Buffer;
  /** Current time in milliseconds (tests). */
  now?: number;
  toleranceSeconds?: number;
}

export type SlackSignatureResult = { ok: true } | { ok: false; reason: 'missing_headers' | 'malformed' | 'stale' | 'bad_signature' };

/** `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}` under the signing secret. */
export function signSlackRequest(signingSecret: string, timestamp: string, rawBody: string | Buffer): string {
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`${VERSION}:${timestamp}:`);
  hmac.update(rawBody);
  return `${VERSION}=${hmac.digest('hex')}`;
}

/** Verifies a request from Slack: fresh timestamp and a signature made with the app's signing secret. */
export function verifySlackSignature(input: SlackSignatureInput): SlackSignatureResult {
  const { timestamp, signature } = input;
  if (!timestamp || !signature || input.signingSecret === '') return { ok: false, reason: 'missing_headers' };
  if (!/^\d{1,12}$/.test(timestamp) || !/^v0=[0-9a-f]{64}$/.test(signature)) return { ok: false, reason: 'malformed' };
  const nowSeconds = Math.floor((input.now ?? Date.now()) / 1000);
  const tolerance = input.toleranceSeconds ?? SLACK_SIGNATURE_TOLERANCE_SECONDS;
  if (Math.abs(nowSeconds - Number(timestamp)) > tolerance) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(signSlackRequest(input.signingSecret, timestamp, input.rawBody), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  // Equal lengths are guaranteed by the format check; compare in constant time.
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'bad_signature' };
  return { ok: true };
}

export interface SlackApprovalDecision {
  /** The token the button carries: an approval token, or an SLA acknowledgement token for `acknowledge`. */
  approvalToken: string;
  decision: 'approve' | 'reject' | 'acknowledge';
  slackUser: { id: string; username: string | null; name: string | null; teamId: string | null };
  channelId: string | null;
  messageTs: string | null;
  responseUrl: string | null;
  actionTs: string | null;
}

const interactionPayload = z
  .object({
    type: z.literal('block_actions'),
    user: z.object({ id: z.string(), username: z.string().optional(), name: z.string().optional(), team_id: z.string().optional() }).loose(),
    team: z.object({ id: z.string() }).loose().nullish(),
    channel: z.object({ id: z.string() }).loose().nullish(),
    container: z.object({ message_ts: z.string().optional(), channel_id: z.string().optional() }).loose().nullish(),
    message: z.object({ ts: z.string().optional() }).loose().nullish(),
    response_url: z.string().optional(),
    actions: z.array(z.object({ action_id: z.string(), value: z.string().optional(), action_ts: z.string().optional() }).loose()).min(1),
  })
  .loose();

export class SlackInteractionError extends Error {
  override readonly name = 'SlackInteractionError';
}

/**
 * Parses an interaction request body (`application/x-www-form-urlencoded` with a JSON `payload`
 * field, as Slack sends it) into Vigil's approval decision. Verify the signature first.
 */
export function parseSlackInteraction(rawBody: string | Buffer): SlackApprovalDecision {
  const form = new URLSearchParams(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
  const payloadText = form.get('payload');
  if (payloadText === null) throw new SlackInteractionError('no payload field in the interaction body');
  let json: unknown;
  try {
    json = JSON.parse(payloadText);
  } catch {
    throw new SlackInteractionError('interaction payload is not JSON');
  }
  const parsed = interactionPayload.safeParse(json);
  if (!parsed.success) throw new SlackInteractionError(`not a block_actions interaction: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const p = parsed.data;
  const action = p.actions.find((a) => a.action_id === SLACK_APPROVE_ACTION_ID || a.action_id === SLACK_REJECT_ACTION_ID || a.action_id === SLACK_ACKNOWLEDGE_ACTION_ID);
  if (!action) throw new SlackInteractionError('interaction carries no Vigil approval action');
  if (!action.value) throw new SlackInteractionError('approval button carries no token');
  return {
    approvalToken: action.value,
    decision: action.action_id === SLACK_APPROVE_ACTION_ID ? 'approve' : action.action_id === SLACK_ACKNOWLEDGE_ACTION_ID ? 'acknowledge' : 'reject',
    slackUser: { id: p.user.id, username: p.user.username ?? null, name: p.user.name ?? null, teamId: p.user.team_id ?? p.team?.id ?? null },
    channelId: p.channel?.id ?? p.container?.channel_id ?? null,
    messageTs: p.container?.message_ts ?? p.message?.ts ?? null,
    responseUrl: p.response_url ?? null,
    actionTs: action.action_ts ?? null,
  };
}
