import { createHash } from 'node:crypto';

/**
 * A stable UUID (RFC 9562 version 8, name-based) derived from an idempotency key, for vendors that
 * accept a request identifier in UUID form: the same step always sends the same identifier.
 */
export function idempotencyUuid(idempotencyKey: string): string {
  const bytes = createHash('sha256').update(`vigil:${idempotencyKey}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A short stable token (hex) derived from an idempotency key, for names and labels. */
export function idempotencyToken(idempotencyKey: string, length = 16): string {
  return createHash('sha256').update(`vigil:${idempotencyKey}`).digest('hex').slice(0, length);
}
