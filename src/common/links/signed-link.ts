import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signed, expiring links: `<base64url(JSON claims)>.<base64url(HMAC-SHA256)>`, signed with the
 * deployment's link key under a MAC context of each kind's own (approval links, SLA acknowledgement
 * links), so a token of one kind is never accepted as another. The claims always carry `v: 1`, an
 * expiry (`exp`, epoch seconds) and a nonce that makes two links with the same claims different tokens.
 */
export interface SignedLinkBase {
  v: 1;
  /** Expiry, epoch seconds. */
  exp: number;
  nonce: string;
}

export type SignedLinkCheck<C> = { ok: true; claims: C } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

const PART = /^[A-Za-z0-9_-]+$/;

function mac(context: string, payload: string, key: string): Buffer {
  return createHmac('sha256', key).update(`${context}.${payload}`).digest();
}

export function signLinkToken<C extends SignedLinkBase>(context: string, claims: Omit<C, 'v' | 'nonce'>, key: string): string {
  const payload = Buffer.from(JSON.stringify({ v: 1, ...claims, nonce: randomBytes(9).toString('base64url') })).toString('base64url');
  return `${payload}.${mac(context, payload, key).toString('base64url')}`;
}

/** Checks the signature first (a tampered token says nothing more), then the claims' shape, then the expiry. */
export function verifyLinkToken<C extends SignedLinkBase>(
  context: string,
  isClaims: (value: unknown) => value is C,
  token: string,
  key: string,
  nowMs: number,
): SignedLinkCheck<C> {
  const parts = token.split('.');
  if (parts.length !== 2 || !PART.test(parts[0]!) || !PART.test(parts[1]!)) return { ok: false, reason: 'malformed' };
  const expected = mac(context, parts[0]!, key);
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
