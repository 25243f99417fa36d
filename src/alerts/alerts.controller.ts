import { Controller, HttpCode, Inject, Logger, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { VigilError } from '../common/errors/vigil-error.js';
import { CurrentPrincipal, INGEST_ROLES, type Principal, Roles } from '../tenants/principal.js';
import { ALERT_SOURCES, type AlertSource } from './canonical-alert.js';
import { readAlertBody } from './alert-body.js';
import { AlertIngestService, type IngestResponse } from './alert-ingest.service.js';
import { detectSource, NORMALIZERS } from './normalizers/index.js';

function isSource(value: string): value is AlertSource {
  return (ALERT_SOURCES as readonly string[]).includes(value);
}

@Controller('api/v1/alerts')
export class AlertsController {
  private readonly logger = new Logger('AlertsController');

  constructor(@Inject(AlertIngestService) private readonly ingest: AlertIngestService) {}

  /** Any supported source: Vigil detects which and says so in `source`. */
  @Post()
  @HttpCode(202)
  @Roles(...INGEST_ROLES)
  async auto(@CurrentPrincipal() principal: Principal, @Req() req: Request): Promise<IngestResponse | { acknowledged: string }> {
    const body = readAlertBody(req, 'auto');
    const source = detectSource(body);
    if (!source) throw new VigilError('unrecognized_payload', 'the body matches none of the supported alert formats', { sources: ALERT_SOURCES });
    return this.accept(principal, source, body);
  }

  @Post(':source')
  @HttpCode(202)
  @Roles(...INGEST_ROLES)
  async bySource(@CurrentPrincipal() principal: Principal, @Param('source') source: string, @Req() req: Request): Promise<IngestResponse | { acknowledged: string }> {
    if (!isSource(source)) throw new VigilError('unknown_source', `unknown alert source '${source}'`, { sources: ALERT_SOURCES });
    return this.accept(principal, source, readAlertBody(req, source));
  }

  private async accept(principal: Principal, source: AlertSource, body: unknown): Promise<IngestResponse | { acknowledged: string }> {
    const normalizer = NORMALIZERS.get(source);
    if (!normalizer) throw new VigilError('unknown_source', `no normaliser for '${source}'`);
    const result = normalizer.normalize(body, Date.now());
    if (result.acknowledgement && result.alerts.length === 0) {
      this.logger.log(`tenant ${principal.tenantSlug}: ${source} ${result.acknowledgement.kind}: ${result.acknowledgement.message}`);
      return { acknowledged: result.acknowledgement.kind };
    }
    return this.ingest.store(principal, source, result);
  }
}
