import { AlertEntity } from './alert.entity.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { ApprovalLinkUseEntity } from './approval-link-use.entity.js';
import { ApprovalEntity } from './approval.entity.js';
import { AuditEntryEntity } from './audit-entry.entity.js';
import { CaseCommentEntity } from './case-comment.entity.js';
import { CaseTaskEntity } from './case-task.entity.js';
import { CaseEventEntity } from './case-event.entity.js';
import { CaseEntity } from './case.entity.js';
import { OutboxEntity } from './outbox.entity.js';
import { PlaybookVersionEntity } from './playbook-version.entity.js';
import { TenantEntity } from './tenant.entity.js';
import { UserEntity } from './user.entity.js';
import { ContainmentActionEntity } from './containment-action.entity.js';
import { EnrichmentCacheEntity } from './enrichment-cache.entity.js';
import { IntegrationConnectionEntity } from './integration-connection.entity.js';
import { IntegrationLeaseEntity } from './integration-lease.entity.js';
import { IntegrationRateBucketEntity } from './integration-rate-bucket.entity.js';
import { ProtectedAssetEntity } from './protected-asset.entity.js';
import { EscalationPolicyEntity } from './escalation-policy.entity.js';
import { OncallRotaEntity } from './oncall-rota.entity.js';
import { SlaCalendarEntity } from './sla-calendar.entity.js';
import { SlaPolicyEntity } from './sla-policy.entity.js';
import { CaseSlaClockEntity } from './case-sla-clock.entity.js';
import { SlaEscalationEntity } from './sla-escalation.entity.js';
import { SlaClockElapsedEntity } from './sla-clock-elapsed.entity.js';

/** The integrations runtime: connections, safety (rate limits, leases, enrichment cache), containment ledger, protected assets. */
const INTEGRATION_ENTITIES = [
  IntegrationConnectionEntity,
  ProtectedAssetEntity,
  ContainmentActionEntity,
  EnrichmentCacheEntity,
  IntegrationRateBucketEntity,
  IntegrationLeaseEntity,
];

/** SLA policies, business calendars, on-call rotas, escalation policies, and each case's clocks and pages. */
const SLA_ENTITIES = [SlaCalendarEntity, SlaPolicyEntity, OncallRotaEntity, EscalationPolicyEntity, CaseSlaClockEntity, SlaEscalationEntity];

export const ENTITIES = [
  TenantEntity,
  ApiKeyEntity,
  CaseEntity,
  AlertEntity,
  CaseEventEntity,
  OutboxEntity,
  UserEntity,
  CaseCommentEntity,
  CaseTaskEntity,
  AuditEntryEntity,
  PlaybookVersionEntity,
  ...INTEGRATION_ENTITIES,
  ApprovalEntity,
  ApprovalLinkUseEntity,
  ...SLA_ENTITIES,
  SlaClockElapsedEntity,
];
