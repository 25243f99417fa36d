import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { VigilError } from '../common/errors/vigil-error.js';
import type { Role } from '../persistence/entities/api-key.entity.js';
import { ApiKeysService } from './api-keys.service.js';
import { PUBLIC_KEY, ROLES_KEY } from './principal.js';

/** Every route needs `Authorization: Bearer <key>` unless marked @Public(); roles come from @Roles(). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(ApiKeysService) private readonly keys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new VigilError('unauthorized', 'missing API key: send Authorization: Bearer <key>');
    const principal = await this.keys.authenticate(match[1]);
    if (!principal) throw new VigilError('unauthorized', 'invalid or revoked API key');
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (!roles || !roles.includes(principal.role)) {
      throw new VigilError('forbidden', `role ${principal.role} may not do this`, { role: principal.role, allowed: roles ?? [] });
    }
    req.principal = principal;
    return true;
  }
}
