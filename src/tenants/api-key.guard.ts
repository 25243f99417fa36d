import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { VigilError } from '../common/errors/vigil-error.js';
import type { Role } from '../persistence/entities/api-key.entity.js';
import { ApiKeysService } from './api-keys.service.js';
import { MSSP_OPERATOR_KEY, type Principal, PUBLIC_KEY, ROLES_KEY, TENANT_HEADER } from '../common/auth/principal.js';
import { TenantsService } from './tenants.service.js';

/**
 * Every route needs `Authorization: Bearer <key>` unless marked @Public(); roles come from @Roles(),
 * and @MsspOperatorOnly() routes also need an MSSP operator. An MSSP operator acts on another tenant
 * by naming it in `X-Vigil-Tenant`; anyone else may only name their own tenant.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(ApiKeysService) private readonly keys: ApiKeysService,
    @Inject(TenantsService) private readonly tenants: TenantsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new VigilError('unauthorized', 'missing API key: send Authorization: Bearer <key>');
    let principal = await this.keys.authenticate(match[1]);
    if (!principal) throw new VigilError('unauthorized', 'invalid or revoked API key');
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (!roles || !roles.includes(principal.role)) {
      throw new VigilError('forbidden', `role ${principal.role} may not do this`, { role: principal.role, allowed: roles ?? [] });
    }
    if (this.reflector.getAllAndOverride<boolean>(MSSP_OPERATOR_KEY, targets) && !principal.msspOperator) {
      throw new VigilError('forbidden', 'only MSSP operators may do this');
    }
    const named = req.headers[TENANT_HEADER];
    if (typeof named === 'string' && named.trim() !== '') principal = await this.actOn(principal, named.trim());
    req.principal = principal;
    return true;
  }

  private async actOn(principal: Principal, named: string): Promise<Principal> {
    if (named === principal.tenantId || named === principal.tenantSlug) return principal;
    // Checked before the look-up, so the header tells a non-operator nothing about other tenants.
    if (!principal.msspOperator) throw new VigilError('forbidden', `only MSSP operators may act on another tenant (${TENANT_HEADER})`);
    const tenant = await this.tenants.resolve(named);
    if (!tenant) throw new VigilError('not_found', `tenant ${named} not found`, { tenant: named });
    return { ...principal, tenantId: tenant.id, tenantSlug: tenant.slug };
  }
}
