import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CLOCK_KINDS, type ClockKind } from './clocks.js';

/**
 * Signed, expiring links that acknowledge an SLA clock's paging, put in the e-mail and PagerDuty
 * pages (and Slack's). The same shape as approval links (`<base64url(JSON claims)>.<base64url(HMAC-SHA256)>`,
 * signed with the deployment's link key), under a MAC context of their own, so an approval token is
 * never an acknowledgement and the reverse. Not one-time: acknowledging twice changes nothing.
 */
export interface AckLinkClaims {
  v: 1;
  tenantId: string;
  caseId: string;
  clock: ClockKind;
  /** The paged person the link was made for; null for a page to a channel (Slack, PagerDuty). */
  userId: string | null;
  /** The channel the link went out through. */
  via: string;
  /** Expiry, epoch seconds. */
  exp: number;
  nonce: string;
}

export type AckLinkCheck = { ok: true; claims: AckLinkClaims } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

/** How long an acknowledgement link works. */
export const ACK_LINK_TTL_SECONDS = 24 * 3600;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const mac = (payload: string, key: string): Buffer => createHmac('sha256', key).update(`vigil-sla-ack-link.v1.${payload}`).digest();

export function signAckLink(claims: Omit<AckLinkClaims, 'v' | 'nonce'>, key: string): string {
  const payload = Buffer.from(JSON.stringify({ v: 1, ...claims, nonce: randomBytes(9).toString('base64url') })).toString('base64url');
  return `${payload}.${mac(payload, key).toString('base64url')}`;
}

function isClaims(value: unknown): value is AckLinkClaims {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  return (
    c['v'] === 1 &&
    typeof c['tenantId'] === 'string' &&
    UUID.test(c['tenantId']) &&
    typeof c['caseId'] === 'string' &&
    UUID.test(c['caseId']) &&
    typeof c['clock'] === 'string' &&
    (CLOCK_KINDS as readonly string[]).includes(c['clock']) &&
    (c['userId'] === null || typeof c['userId'] === 'string') &&
    typeof c['via'] === 'string' &&
    typeof c['exp'] === 'number'
  );
}

/** Checks the signature first (a tampered token says nothing more), then the expiry. */
export function verifyAckLink(token: string, key: string, nowMs: number): AckLinkCheck {
  const parts = token.split('.');
  if (parts.length !== 2 || !/^[A-Za-z0-9_-]+$/.test(parts[0]!) || !/^[A-Za-z0-9_-]+$/.test(parts[1]!)) return { ok: false, reason: 'malformed' };
  const expected = mac(parts[0]!, key);
  const given = Buffer.from(parts[1]!, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!isClaims(claims)) return { ok: false, reason: 'malformed' };
  if (claims.exp * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}
