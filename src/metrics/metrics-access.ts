import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { READ_ROLES } from '../common/auth/principal.js';
import { VigilError } from '../common/errors/vigil-error.js';
import { type AppConfig, APP_CONFIG } from '../config/config.schema.js';
import { ApiKeysService } from '../tenants/index.js';

/**
 * Who may read `/metrics` (API and worker): the scraper's `VIGIL_METRICS_TOKEN`, or the API key of an
 * MSSP operator (any reading role). Never public: the series name tenants. Tenant keys get 403 even
 * as admins, because the figures cover every tenant.
 */
@Injectable()
export class MetricsAccess {
  private readonly tokenHash: Buffer | undefined;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(ApiKeysService) private readonly keys: ApiKeysService,
  ) {
    this.tokenHash = config.metrics.token === undefined ? undefined : sha256(config.metrics.token);
  }

  /** Throws 401 without a valid bearer, 403 for a key that is not an operator's. */
  async check(authorization: string | undefined): Promise<void> {
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!bearer) throw new VigilError('unauthorized', 'missing credentials: send Authorization: Bearer <metrics token or MSSP operator key>');
    // Hashes compared in constant time: equal lengths whatever was sent.
    if (this.tokenHash && timingSafeEqual(sha256(bearer), this.tokenHash)) return;
    const principal = await this.keys.authenticate(bearer);
    if (!principal) throw new VigilError('unauthorized', 'invalid metrics token or API key');
    if (!principal.msspOperator || !READ_ROLES.includes(principal.role)) throw new VigilError('forbidden', 'only MSSP operators and the metrics token may read /metrics');
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
