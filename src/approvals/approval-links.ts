import { createHash } from 'node:crypto';
import { signLinkToken, verifyLinkToken, type SignedLinkCheck } from '../common/links/signed-link.js';
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

export type LinkCheck = SignedLinkCheck<LinkClaims>;

const CONTEXT = 'vigil-approval-link.v1';

/** A signed link of `../common/links/signed-link.ts` under the approval links' MAC context. */
export function signLink(claims: Omit<LinkClaims, 'v' | 'nonce'>, key: string): string {
  return signLinkToken<LinkClaims>(CONTEXT, claims, key);
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
  return verifyLinkToken(CONTEXT, isClaims, token, key, nowMs);
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
