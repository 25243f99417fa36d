import { randomBytes } from 'node:crypto';
import type { SimContext, SimRequest } from '../sim-types.js';

/** Issues an opaque bearer token remembered in the simulator state. */
export function issueToken(ctx: SimContext, vendor: string, audience: string, clientId: string, lifetimeSeconds: number): string {
  const token = `${vendor}.${randomBytes(24).toString('base64url')}`;
  ctx.state.tokens.set(token, { vendor, audience, clientId, expiresAt: ctx.now() + lifetimeSeconds * 1000 });
  return token;
}

export type BearerCheck = { ok: true } | { ok: false; reason: 'missing' | 'invalid' | 'expired' | 'audience' };

/** Checks `Authorization: Bearer <token>` against tokens this vendor issued. */
export function checkBearer(req: SimRequest, ctx: SimContext, vendor: string, audience?: string): BearerCheck {
  const header = req.headers['authorization'] ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) return { ok: false, reason: 'missing' };
  const token = ctx.state.tokens.get(match[1]);
  if (!token || token.vendor !== vendor) return { ok: false, reason: 'invalid' };
  if (token.expiresAt <= ctx.now()) return { ok: false, reason: 'expired' };
  if (audience !== undefined && token.audience !== audience) return { ok: false, reason: 'audience' };
  return { ok: true };
}

/** Parses an `application/x-www-form-urlencoded` body (already an object) or JSON body into strings. */
export function formFields(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}
