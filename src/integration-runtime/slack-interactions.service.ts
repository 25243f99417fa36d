import { Inject, Injectable, Logger } from '@nestjs/common';
import { parseSlackInteraction, SlackInteractionError, type SlackApprovalDecision, verifySlackSignature } from '../../integrations/slack/interaction-signature.js';
import { ConnectionResolver, NoConnectionError } from './connection-resolver.js';
import { VigilError } from '../common/errors/vigil-error.js';

export interface SlackInteractionRequest {
  rawBody: Buffer;
  timestamp: string | undefined;
  signature: string | undefined;
}

/** What a verified click resolves to, before it is handed to the approvals service. */
export interface VerifiedSlackDecision {
  tenantId: string;
  decision: SlackApprovalDecision;
}

/**
 * The tenant an approval token belongs to, read from the token without trusting it: it only picks
 * whose Slack signing secret the request must be signed with. The approvals service verifies the
 * token itself before anything is decided.
 */
export function tenantOfApprovalToken(token: string): string | undefined {
  const payload = token.split('.')[0];
  if (!payload || !/^[A-Za-z0-9_-]+$/.test(payload)) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { tenantId?: unknown };
    return typeof claims.tenantId === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(claims.tenantId) ? claims.tenantId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Slack interactive approvals: a click on an approval button arrives here. The request must be
 * signed with the Slack signing secret of the tenant the button's approval token belongs to.
 */
@Injectable()
export class SlackInteractionsService {
  private readonly logger = new Logger('SlackInteractions');

  constructor(@Inject(ConnectionResolver) private readonly connections: ConnectionResolver) {}

  async verify(request: SlackInteractionRequest): Promise<VerifiedSlackDecision> {
    let decision: SlackApprovalDecision;
    try {
      decision = parseSlackInteraction(request.rawBody);
    } catch (error) {
      if (error instanceof SlackInteractionError) throw new VigilError('bad_request', error.message);
      throw error;
    }
    const tenantId = tenantOfApprovalToken(decision.approvalToken);
    // One answer for every failure below: a caller learns nothing about tenants or tokens.
    const refused = new VigilError('invalid_signature', 'the request is not signed with the Slack signing secret of the approval’s tenant');
    if (!tenantId) throw refused;
    let signingSecret: string | undefined;
    try {
      const resolved = await this.connections.resolve(tenantId, 'slack');
      // Only the tenant's own Slack app: the development simulator's signing secret is public.
      if (resolved.source === 'tenant') signingSecret = resolved.context.secrets['signingSecret'];
    } catch (error) {
      if (!(error instanceof NoConnectionError)) throw error;
    }
    if (!signingSecret) throw refused;
    const check = verifySlackSignature({ signingSecret, timestamp: request.timestamp, signature: request.signature, rawBody: request.rawBody });
    if (!check.ok) {
      this.logger.warn(`Slack interaction refused for tenant ${tenantId}: ${check.reason}`);
      throw refused;
    }
    return { tenantId, decision };
  }
}
