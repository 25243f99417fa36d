import { z } from 'zod';
import { IntegrationError } from '../core/action.js';
import { defineAction, joinUrl, secret, stringSetting } from '../core/define-action.js';
import { errorFromResponse } from '../core/http-errors.js';

/** action_id values of the approval buttons; the interaction handler keys on them. */
export const SLACK_APPROVE_ACTION_ID = 'vigil_approve';
export const SLACK_REJECT_ACTION_ID = 'vigil_reject';
export const SLACK_APPROVAL_BLOCK_ID = 'vigil_approval';
/** action_id of the button that acknowledges an SLA page (its value is a signed acknowledgement token). */
export const SLACK_ACKNOWLEDGE_ACTION_ID = 'vigil_acknowledge';
export const SLACK_ACKNOWLEDGE_BLOCK_ID = 'vigil_acknowledge';

const approval = z.strictObject({
  token: z.string().min(16).max(2000).describe('Opaque approval token carried back in the button value (Slack caps values at 2000 characters)'),
  approveLabel: z.string().min(1).max(75).default('Approve'),
  rejectLabel: z.string().min(1).max(75).default('Reject'),
});

const acknowledge = z.strictObject({
  token: z.string().min(16).max(2000).describe('Opaque acknowledgement token carried back in the button value'),
  label: z.string().min(1).max(75).default('Acknowledge'),
});

const chatResponse = z
  .object({
    ok: z.boolean(),
    error: z.string().optional(),
    channel: z.string().optional(),
    ts: z.string().optional(),
  })
  .loose();

/** Slack answers HTTP 200 with `ok:false`; these error strings are what they mean for Vigil. */
function slackFailure(error: string, headers: unknown): IntegrationError {
  const body = { error };
  if (['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'no_permission', 'missing_scope', 'not_allowed_token_type'].includes(error)) {
    return errorFromResponse(401, headers, body, { vendor: 'slack' });
  }
  if (error === 'ratelimited') return errorFromResponse(429, headers, body, { vendor: 'slack' });
  if (['channel_not_found', 'not_in_channel', 'is_archived', 'user_not_found'].includes(error)) return errorFromResponse(404, headers, body, { vendor: 'slack' });
  if (['fatal_error', 'internal_error', 'service_unavailable', 'request_timeout'].includes(error)) return errorFromResponse(503, headers, body, { vendor: 'slack' });
  return errorFromResponse(400, headers, body, { vendor: 'slack' });
}

export function approvalBlocks(text: string, a: z.output<typeof approval>): unknown[] {
  return [
    { type: 'section', text: { type: 'mrkdwn', text } },
    {
      type: 'actions',
      block_id: SLACK_APPROVAL_BLOCK_ID,
      elements: [
        { type: 'button', action_id: SLACK_APPROVE_ACTION_ID, style: 'primary', text: { type: 'plain_text', text: a.approveLabel }, value: a.token },
        { type: 'button', action_id: SLACK_REJECT_ACTION_ID, style: 'danger', text: { type: 'plain_text', text: a.rejectLabel }, value: a.token },
      ],
    },
  ];
}

export function acknowledgeBlocks(text: string, a: z.output<typeof acknowledge>): unknown[] {
  return [
    { type: 'section', text: { type: 'mrkdwn', text } },
    {
      type: 'actions',
      block_id: SLACK_ACKNOWLEDGE_BLOCK_ID,
      elements: [{ type: 'button', action_id: SLACK_ACKNOWLEDGE_ACTION_ID, style: 'primary', text: { type: 'plain_text', text: a.label }, value: a.token }],
    },
  ];
}

export const postMessageAction = defineAction({
  key: 'slack.post_message',
  vendor: 'slack',
  title: 'Slack: post message (optionally with approve/reject buttons)',
  docUrl: 'https://api.slack.com/methods/chat.postMessage',
  kind: 'notification',
  input: z.strictObject({
    channel: z.string().min(1).max(80).optional().describe('Channel ID or name; defaults to the connection setting `channel`'),
    text: z.string().min(1).max(40000).describe('Message text (mrkdwn); also the notification fallback'),
    threadTs: z
      .string()
      .regex(/^\d+\.\d+$/)
      .optional()
      .describe('Reply in this thread'),
    approval: approval.optional().describe('Adds Approve/Reject buttons that carry the approval token'),
    acknowledge: acknowledge.optional().describe('Adds an Acknowledge button (SLA pages) that carries the acknowledgement token'),
  }),
  output: z.object({ channel: z.string(), ts: z.string(), withApproval: z.boolean() }),
  secrets: ['botToken'],
  describeTarget: (input) => `Slack ${input.channel ?? 'default channel'}`,
  async run(input, ctx) {
    const channel = input.channel ?? stringSetting(ctx.connection.settings, 'channel');
    if (!channel) throw new IntegrationError('slack.post_message: no channel given and the connection has no default channel', 'invalid_input', false);
    const body: Record<string, unknown> = { channel, text: input.text };
    if (input.threadTs) body['thread_ts'] = input.threadTs;
    if (input.approval) body['blocks'] = approvalBlocks(input.text, input.approval);
    else if (input.acknowledge) body['blocks'] = acknowledgeBlocks(input.text, input.acknowledge);
    const res = await ctx.http.post<unknown>(joinUrl(ctx.connection.baseUrl, '/api/chat.postMessage'), body, {
      headers: { Authorization: `Bearer ${secret(ctx, 'botToken')}`, 'Content-Type': 'application/json; charset=utf-8', Accept: 'application/json' },
      signal: ctx.signal,
    });
    const parsed = chatResponse.parse(res.data);
    if (!parsed.ok || !parsed.ts) throw slackFailure(parsed.error ?? 'unknown_error', res.headers);
    return { channel: parsed.channel ?? channel, ts: parsed.ts, withApproval: input.approval !== undefined };
  },
});
