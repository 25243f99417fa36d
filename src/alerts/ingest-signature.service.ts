import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import { VigilError } from '../common/errors/vigil-error.js';
import type { Principal } from '../common/auth/principal.js';
import { TenantSettingsService } from '../tenants/index.js';
import type { AlertSource } from '../common/canonical-alert.js';
import { checkSignature, type SignatureProblem } from './hmac-signature.js';
import { headersFor, hmacPolicyOf } from './ingest-settings.js';

const MESSAGES: Record<SignatureProblem, string> = {
  missing_signature: 'this tenant requires signed deliveries: the signature header is missing',
  missing_timestamp: 'the timestamp header is missing',
  malformed_signature: 'the signature is not of the form sha256=<64 hex digits>',
  malformed_timestamp: 'the timestamp is not a number of epoch seconds',
  stale_timestamp: 'the timestamp is outside the accepted tolerance (a replay, or a clock that is off)',
  mismatch: 'the signature does not match the body',
};

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * Checks a delivery's HMAC signature against its tenant's settings, before the body is parsed. When the
 * tenant requires signatures, a missing, wrong or stale one is refused; when it only has a secret, a
 * signature that is present must still be right. Neither the secret nor the presented signature is logged.
 */
@Injectable()
export class IngestSignatureVerifier {
  private readonly logger = new Logger('IngestSignature');

  constructor(@Inject(TenantSettingsService) private readonly tenants: TenantSettingsService) {}

  async verify(principal: Principal, source: AlertSource | 'auto', req: Request): Promise<void> {
    const policy = hmacPolicyOf(await this.tenants.settings(principal.tenantId));
    if (policy.secret === undefined && !policy.required) return;
    const { signatureHeader, timestampHeader } = headersFor(policy, source);
    const signature = header(req, signatureHeader);
    if (!policy.required && signature === undefined) return;
    const problem: SignatureProblem | undefined =
      policy.secret === undefined
        ? 'mismatch'
        : checkSignature({
            secret: policy.secret,
            body: req.rawBody ?? Buffer.alloc(0),
            signature,
            timestamp: header(req, timestampHeader),
            toleranceSeconds: policy.toleranceSeconds,
            now: Date.now(),
          });
    if (problem === undefined) return;
    this.logger.warn(`tenant ${principal.tenantSlug}: ${source} delivery refused: ${problem}`);
    throw new VigilError('invalid_signature', MESSAGES[problem], { reason: problem, signatureHeader, timestampHeader });
  }
}
