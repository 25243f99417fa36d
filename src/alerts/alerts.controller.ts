import { Controller, HttpCode, Inject, Logger, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { type AppConfig, APP_CONFIG } from '../config/config.schema.js';
import { VigilError } from '../common/errors/vigil-error.js';
import { CurrentPrincipal, INGEST_ROLES, type Principal, Roles } from '../common/auth/principal.js';
import { ALERT_SOURCES, type AlertSource } from '../common/canonical-alert.js';
import { alertsReceived } from '../common/metrics/vigil-metrics.js';
import { readAlertBody } from './alert-body.js';
import { AlertIngestService, type IngestResponse } from './alert-ingest.service.js';
import { deliveryItemCount } from './delivery-size.js';
import { IngestSignatureVerifier } from './ingest-signature.service.js';
import { detectSource, NORMALIZERS } from './normalizers/index.js';

function isSource(value: string): value is AlertSource {
  return (ALERT_SOURCES as readonly string[]).includes(value);
}

/** A vendor handshake (SNS subscription confirmation, an empty list, non-alert records): 200, nothing stored. */
export interface Acknowledged {
  acknowledged: string;
  message: string;
}

/**
 * Counts a delivery's alerts in `vigil_alerts_received_total`: each stored alert as accepted or
 * duplicate, each refused item (and a delivery refused whole, once) as rejected, a handshake as
 * acknowledged. The source label is a known source or `auto` (only known sources reach here).
 */
async function counted(principal: Principal, source: () => string, deliver: () => Promise<IngestResponse | Acknowledged>): Promise<IngestResponse | Acknowledged> {
  const count = (outcome: 'accepted' | 'duplicate' | 'rejected' | 'acknowledged', n = 1): void => {
    if (n > 0) alertsReceived.inc({ tenant: principal.tenantSlug, source: source(), outcome }, n);
  };
  try {
    const answer = await deliver();
    if ('acknowledged' in answer) count('acknowledged');
    else {
      const duplicates = answer.alerts.filter((a) => a.duplicate).length;
      count('accepted', answer.alerts.length - duplicates);
      count('duplicate', duplicates);
      count('rejected', answer.errors?.length ?? 0);
    }
    return answer;
  } catch (error) {
    count('rejected');
    throw error;
  }
}

/**
 * Alert ingest. Order of checks: API key (guard), the tenant's HMAC signature over the raw body,
 * content type and the payload guard, the size of the batch, then normalising and one transaction.
 */
@Controller('api/v1/alerts')
export class AlertsController {
  private readonly logger = new Logger('AlertsController');

  constructor(
    @Inject(AlertIngestService) private readonly ingest: AlertIngestService,
    @Inject(IngestSignatureVerifier) private readonly signatures: IngestSignatureVerifier,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Any supported source: Vigil detects which and says so in `source`. */
  @Post()
  @HttpCode(202)
  @Roles(...INGEST_ROLES)
  async auto(@CurrentPrincipal() principal: Principal, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<IngestResponse | Acknowledged> {
    let source: AlertSource | undefined;
    return counted(
      principal,
      () => source ?? 'auto',
      async () => {
        await this.signatures.verify(principal, 'auto', req);
        const body = readAlertBody(req, 'auto');
        this.checkBatchSize(body);
        source = detectSource(body);
        if (!source) throw new VigilError('unrecognized_payload', 'the body matches none of the supported alert formats', { sources: ALERT_SOURCES });
        return this.accept(principal, source, body, res);
      },
    );
  }

  @Post(':source')
  @HttpCode(202)
  @Roles(...INGEST_ROLES)
  async bySource(
    @CurrentPrincipal() principal: Principal,
    @Param('source') source: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<IngestResponse | Acknowledged> {
    if (!isSource(source)) throw new VigilError('unknown_source', `unknown alert source '${source}'`, { sources: ALERT_SOURCES });
    return counted(
      principal,
      () => source,
      async () => {
        await this.signatures.verify(principal, source, req);
        return this.accept(principal, source, readAlertBody(req, source), res);
      },
    );
  }

  /** Refuses a huge batch by counting its items, before anything walks them. */
  private checkBatchSize(body: unknown): void {
    const limit = this.config.api.maxBatchAlerts;
    const items = deliveryItemCount(body);
    if (items > limit) {
      throw new VigilError('too_many_alerts', `a delivery may carry at most ${limit} alerts (NDJSON: lines); split it`, { count: items, limit });
    }
  }

  private async accept(principal: Principal, source: AlertSource, body: unknown, res: Response): Promise<IngestResponse | Acknowledged> {
    this.checkBatchSize(body);
    const normalizer = NORMALIZERS.get(source);
    if (!normalizer) throw new VigilError('unknown_source', `no normaliser for '${source}'`);
    const result = normalizer.normalize(body, Date.now());
    if (result.acknowledgement && result.alerts.length === 0) {
      const { kind, message, details } = result.acknowledgement;
      // An operator has to act on a subscription confirmation (visit its SubscribeURL once the sender is trusted), so it is a warning.
      const line = `tenant ${principal.tenantSlug}: ${source} ${kind}: ${message}${details ? ` ${JSON.stringify(details)}` : ''}`;
      if (kind.includes('subscription')) this.logger.warn(line);
      else this.logger.log(line);
      res.status(200);
      return { acknowledged: kind, message };
    }
    return this.ingest.store(principal, source, result);
  }
}
