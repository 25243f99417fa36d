import nodemailer from 'nodemailer';
import { z } from 'zod';
import { IntegrationError, type ActionContext } from '../core/action.js';
import { defineAction, requireSetting, secret, stringSetting } from '../core/define-action.js';
import { idempotencyToken } from '../core/idempotency.js';
import { redactText } from '../core/redaction.js';

/**
 * Connection settings: `host`, `port` (default 587), `secure` (TLS from the first byte; default
 * true only on port 465), `requireTLS` (insist on STARTTLS), `from` (sender address),
 * `timeoutMs` (default 10 s). Secrets: `username`, `password`.
 */

const SMTP_TIMEOUT_MS = 10_000;
const email = z.email().max(320);

function numberSetting(settings: Readonly<Record<string, unknown>>, name: string, fallback: number): number {
  const v = settings[name];
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

interface SmtpFailure {
  code?: unknown;
  responseCode?: unknown;
  message?: unknown;
}

/** Classifies nodemailer/SMTP failures the way http-errors classifies HTTP ones. */
export function smtpError(err: unknown, ctx: ActionContext): IntegrationError {
  const e = (err && typeof err === 'object' ? err : {}) as SmtpFailure;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const reason = redactText(typeof e.message === 'string' ? e.message : String(err), ctx.connection.secrets).slice(0, 300);
  const message = `email: ${code ?? 'SMTP error'}${responseCode ? ` ${responseCode}` : ''} — ${reason}`;
  if (code === 'EAUTH' || responseCode === 535 || responseCode === 530) return new IntegrationError(message, 'vendor_unauthorized', false, responseCode);
  if (code === 'ETIMEDOUT' || code === 'ETIMEOUT') return new IntegrationError(message, 'vendor_timeout', true, responseCode);
  if (responseCode !== undefined && responseCode >= 400 && responseCode < 500) {
    // 4yz replies are transient by definition (RFC 5321); 421/450/451/452 all invite a retry.
    return new IntegrationError(message, responseCode === 421 || responseCode === 450 ? 'vendor_unavailable' : 'vendor_rate_limited', true, responseCode);
  }
  if (responseCode !== undefined && responseCode >= 500) return new IntegrationError(message, 'vendor_bad_request', false, responseCode);
  if (code === 'EENVELOPE' || code === 'EMESSAGE') return new IntegrationError(message, 'vendor_bad_request', false);
  if (code === 'ECONNECTION' || code === 'ESOCKET' || code === 'EDNS' || code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPROTOCOL') {
    return new IntegrationError(message, 'vendor_unavailable', true);
  }
  return new IntegrationError(message, 'vendor_unavailable', true);
}

export const sendEmailAction = defineAction({
  key: 'email.send',
  vendor: 'email',
  title: 'Email: send message over SMTP',
  docUrl: 'https://www.rfc-editor.org/rfc/rfc5321',
  kind: 'notification',
  input: z.strictObject({
    to: z.array(email).min(1).max(50),
    cc: z.array(email).max(50).optional(),
    subject: z
      .string()
      .min(1)
      .max(998)
      .regex(/^[^\r\n]*$/, 'subject must be a single line'),
    text: z.string().min(1).max(1_000_000),
    html: z.string().max(2_000_000).optional(),
    replyTo: email.optional(),
  }),
  output: z.object({ messageId: z.string(), accepted: z.array(z.string()), rejected: z.array(z.string()), response: z.string() }),
  secrets: ['username', 'password'],
  describeTarget: (input) => `email to ${input.to.join(', ')}`,
  async run(input, ctx) {
    const s = ctx.connection.settings;
    const host = requireSetting(s, 'host', 'email.send');
    const port = numberSetting(s, 'port', 587);
    const from = stringSetting(s, 'from') ?? secret(ctx, 'username');
    const timeout = numberSetting(s, 'timeoutMs', SMTP_TIMEOUT_MS);
    const transport = nodemailer.createTransport({
      host,
      port,
      secure: typeof s['secure'] === 'boolean' ? s['secure'] : port === 465,
      requireTLS: s['requireTLS'] === true,
      auth: { user: secret(ctx, 'username'), pass: secret(ctx, 'password') },
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    const abort = (): void => transport.close();
    ctx.signal?.addEventListener('abort', abort, { once: true });
    try {
      // A Message-ID derived from the step lets receiving systems fold a retried send into one message.
      const domain = from.includes('@') ? from.split('@').pop() : 'vigil.invalid';
      const info = await transport.sendMail({
        from,
        to: input.to,
        cc: input.cc,
        replyTo: input.replyTo,
        subject: input.subject,
        text: input.text,
        html: input.html,
        messageId: `<vigil-${idempotencyToken(ctx.idempotencyKey, 24)}@${domain}>`,
      });
      const addresses = (list: Array<string | { address: string }>): string[] => list.map((a) => (typeof a === 'string' ? a : a.address));
      return { messageId: info.messageId, accepted: addresses(info.accepted), rejected: addresses(info.rejected), response: info.response };
    } catch (err) {
      throw smtpError(err, ctx);
    } finally {
      ctx.signal?.removeEventListener('abort', abort);
      transport.close();
    }
  },
});
