import { signLinkToken, verifyLinkToken, type SignedLinkCheck } from '../common/links/signed-link.js';
import { CLOCK_KINDS, type ClockKind } from './clocks.js';

/**
 * Signed, expiring links that acknowledge an SLA clock's paging, put in the e-mail and PagerDuty
 * pages (and Slack's). Signed links of `../common/links/signed-link.ts`, like approval links, under a MAC
 * context of their own, so an approval token is
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

export type AckLinkCheck = SignedLinkCheck<AckLinkClaims>;

/** How long an acknowledgement link works. */
export const ACK_LINK_TTL_SECONDS = 24 * 3600;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CONTEXT = 'vigil-sla-ack-link.v1';

export function signAckLink(claims: Omit<AckLinkClaims, 'v' | 'nonce'>, key: string): string {
  return signLinkToken<AckLinkClaims>(CONTEXT, claims, key);
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
  return verifyLinkToken(CONTEXT, isClaims, token, key, nowMs);
}
