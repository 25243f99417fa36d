import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** Where a request came from, for the audit log. */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
}

const MAX_USER_AGENT = 512;

export function originOf(req: Request): RequestOrigin {
  const agent = req.headers['user-agent'];
  return {
    ip: req.ip ?? req.socket?.remoteAddress ?? null,
    userAgent: typeof agent === 'string' && agent.length > 0 ? agent.slice(0, MAX_USER_AGENT) : null,
  };
}

/** The caller's IP address and user agent. */
export const Origin = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestOrigin => originOf(ctx.switchToHttp().getRequest<Request>()));
