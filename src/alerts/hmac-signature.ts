import { createHmac, timingSafeEqual } from 'node:crypto';

/** Why a delivery's signature was refused; sent back in `details.reason` (it says nothing about the secret). */
export type SignatureProblem = 'missing_signature' | 'missing_timestamp' | 'malformed_signature' | 'malformed_timestamp' | 'stale_timestamp' | 'mismatch';

export interface SignatureCheck {
  secret: string;
  /** The delivery exactly as received. */
  body: Buffer;
  /** Header values as received (undefined when absent). */
  signature: string | undefined;
  timestamp: string | undefined;
  toleranceSeconds: number;
  /** Epoch milliseconds, for testing the tolerance. */
  now: number;
}

const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;
const TIMESTAMP = /^\d{1,12}$/;

/** `sha256=<hex>` of HMAC-SHA256 over `<timestamp>.<raw body>`: what a sender puts in the signature header. */
export function signBody(secret: string, timestamp: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/**
 * Checks a delivery's HMAC-SHA256 signature: the timestamp (epoch seconds) must be within the
 * tolerance of now, in either direction, so a captured delivery cannot be replayed later; the
 * signature header may list several `sha256=` values separated by commas (a sender rotating its
 * secret), any one of which may match. Compared in constant time. Returns the problem, or undefined.
 */
export function checkSignature(c: SignatureCheck): SignatureProblem | undefined {
  const signature = c.signature?.trim();
  if (!signature) return 'missing_signature';
  const timestamp = c.timestamp?.trim();
  if (!timestamp) return 'missing_timestamp';
  if (!TIMESTAMP.test(timestamp)) return 'malformed_timestamp';
  if (Math.abs(c.now / 1000 - Number(timestamp)) > c.toleranceSeconds) return 'stale_timestamp';
  const candidates = signature.split(',').map((s) => SIGNATURE.exec(s.trim())?.[1]);
  if (candidates.length === 0 || candidates.some((hex) => hex === undefined)) return 'malformed_signature';
  const expected = createHmac('sha256', c.secret).update(`${timestamp}.`).update(c.body).digest();
  const matches = candidates.some((hex) => timingSafeEqual(Buffer.from(hex!, 'hex'), expected));
  return matches ? undefined : 'mismatch';
}
