import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApprovalActor, ApprovalDecision } from '../../workflows/contracts/approval-messages.js';

/** What a signed approval link carries. The signature covers all of it: approval, approver and expiry. */
export interface LinkClaims {
  v: 1;
  approvalId: string;
  tenantId: string;
  approver: ApprovalActor;
  /** When set, the link can only cast this decision. */
  decision?: ApprovalDecision;
  /** Expiry, epoch seconds. */
  exp: number;
  /** Makes two links for the same approver and expiry different tokens (links are one-time). */
  nonce: string;
}

export type LinkCheck = { ok: true; claims: LinkClaims } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

function mac(payload: string, key: string): Buffer {
  return createHmac('sha256', key).update(`vigil-approval-link.v1.${payload}`).digest();
}

/** `<base64url(JSON claims)>.<base64url(HMAC-SHA256)>`. */
export function signLink(claims: Omit<LinkClaims, 'v' | 'nonce'>, key: string): string {
  const full: LinkClaims = { v: 1, ...claims, nonce: randomBytes(9).toString('base64url') };
  const payload = b64url(JSON.stringify(full));
  return `${payload}.${b64url(mac(payload, key))}`;
}

function isClaims(value: unknown): value is LinkClaims {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  const approver = c['approver'] as Record<string, unknown> | undefined;
  return (
    c['v'] === 1 &&
    typeof c['approvalId'] === 'string' &&
    typeof c['tenantId'] === 'string' &&
    typeof c['exp'] === 'number' &&
    typeof approver === 'object' &&
    approver !== null &&
    typeof approver['id'] === 'string' &&
    Array.isArray(approver['roles']) &&
    (approver['roles'] as unknown[]).every((r) => typeof r === 'string') &&
    (c['decision'] === undefined || c['decision'] === 'approve' || c['decision'] === 'reject')
  );
}

/** Checks signature first (a tampered token says nothing more), then expiry. */
export function verifyLink(token: string, key: string, nowMs: number): LinkCheck {
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

/**
 * What the one-time record keeps: never the token itself, and not its spelling either. The hash is
 * over the decoded MAC, so the spellings base64url allows for one signature (its unused low bits)
 * are one link, used once.
 */
export function linkUseKey(token: string): string {
  const signature = token.split('.')[1] ?? '';
  return createHash('sha256').update(Buffer.from(signature, 'base64url')).digest('hex');
}
