import { createHash } from 'node:crypto';
import { SIMULATOR_CREDENTIALS } from '../credentials.js';
import { isRecord, json, type SimContext, type SimRequest, type SimResponse, type VendorSimulator } from '../sim-types.js';
import { isUnknownIdentifier } from '../verdicts.js';

export const SLACK_SIM_BOT_USER = 'U0SIMB0T01';

function slackFail(error: string, status = 200, headers: Record<string, string> = {}): SimResponse {
  return json(status, { ok: false, error }, headers);
}

/** Channel names map to stable IDs, as Slack would resolve them. */
export function slackChannelId(channel: string): string {
  if (/^[CGD][A-Z0-9]{8,}$/.test(channel)) return channel;
  return `C${createHash('sha256').update(channel.replace(/^#/, '').toLowerCase()).digest('hex').slice(0, 10).toUpperCase()}`;
}

function approvalToken(blocks: unknown): string | null {
  if (!Array.isArray(blocks)) return null;
  for (const block of blocks) {
    if (!isRecord(block) || !Array.isArray(block['elements'])) continue;
    for (const el of block['elements']) {
      if (isRecord(el) && (el['action_id'] === 'vigil_approve' || el['action_id'] === 'vigil_reject') && typeof el['value'] === 'string') return el['value'];
    }
  }
  return null;
}

export const slackSimulator: VendorSimulator = {
  name: 'slack',
  errorBody: (status) => ({ ok: false, error: status === 429 ? 'ratelimited' : status >= 500 ? 'internal_error' : 'invalid_request' }),
  handle(req: SimRequest, ctx: SimContext): SimResponse {
    // response_url of simulated interactions: Vigil may post a follow-up there.
    if (req.path.startsWith('/response/') && req.method === 'POST') return { status: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' };
    if (req.path !== '/api/chat.postMessage') return slackFail('unknown_method', 404);
    if (req.method !== 'POST') return slackFail('method_not_supported_for_channel_type', 405);
    const auth = req.headers['authorization'];
    if (!auth) return slackFail('not_authed');
    if (auth !== `Bearer ${SIMULATOR_CREDENTIALS.slack.botToken}`) return slackFail('invalid_auth');
    const body = isRecord(req.body) ? req.body : {};
    const channel = typeof body['channel'] === 'string' ? body['channel'] : '';
    if (channel === '' || isUnknownIdentifier(channel.replace(/^#/, ''))) return slackFail('channel_not_found');
    const text = typeof body['text'] === 'string' ? body['text'] : '';
    const blocks = body['blocks'];
    if (blocks !== undefined && !Array.isArray(blocks)) return slackFail('invalid_blocks');
    if (text === '' && !Array.isArray(blocks)) return slackFail('no_text');
    if (text.length > 40000) return slackFail('msg_too_long');
    const channelId = slackChannelId(channel);
    const ts = `${Math.floor(ctx.now() / 1000)}.${String(ctx.state.nextSequence() % 1_000_000).padStart(6, '0')}`;
    const threadTs = typeof body['thread_ts'] === 'string' ? body['thread_ts'] : null;
    ctx.state.slackMessages.set(ts, { channel: channelId, ts, text, threadTs, approvalToken: approvalToken(blocks) });
    return json(200, {
      ok: true,
      channel: channelId,
      ts,
      message: {
        type: 'message',
        user: SLACK_SIM_BOT_USER,
        bot_id: 'B0SIMB0T01',
        app_id: 'A0SIMAPP01',
        text,
        ts,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        ...(Array.isArray(blocks) ? { blocks } : {}),
      },
    });
  },
};
