import type { Provider } from '@nestjs/common';
import { ConnectionResolver } from './connection-resolver.js';
import { ContainmentLedgerRepository } from './containment-ledger.repository.js';
import { ConnectionsService } from './connections.service.js';
import { DbConnectionResolver } from './db-connection-resolver.js';
import { EnrichmentCache } from './enrichment-cache.js';
import { EnrichmentCacheRepository } from './enrichment-cache.repository.js';
import { ContainmentExpiryScheduler, TemporalExpiryScheduler } from './expiry-scheduler.js';
import { IntegrationLimiter } from './integration-limiter.js';
import { IntegrationLimiterRepository } from './integration-limiter.repository.js';
import { OverrideApprovals } from './override-approvals.js';
import { ProtectedAssetsService } from './protected-assets.service.js';
import { SecretsCipher } from './secrets-cipher.js';

/** What the API and the worker share of the integrations runtime (registered in CoreModule). */
export const CONNECTION_PROVIDERS: Provider[] = [
  SecretsCipher,
  ConnectionsService,
  IntegrationLimiterRepository,
  IntegrationLimiter,
  EnrichmentCacheRepository,
  EnrichmentCache,
  ContainmentLedgerRepository,
  ProtectedAssetsService,
  OverrideApprovals,
  { provide: ConnectionResolver, useClass: DbConnectionResolver },
  { provide: ContainmentExpiryScheduler, useClass: TemporalExpiryScheduler },
];
