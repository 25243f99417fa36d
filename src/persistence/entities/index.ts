import { AlertEntity } from './alert.entity.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { CaseEventEntity } from './case-event.entity.js';
import { CaseEntity } from './case.entity.js';
import { OutboxEntity } from './outbox.entity.js';
import { TenantEntity } from './tenant.entity.js';

export const ENTITIES = [TenantEntity, ApiKeyEntity, CaseEntity, AlertEntity, CaseEventEntity, OutboxEntity];
