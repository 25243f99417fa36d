import type { Provider } from '@nestjs/common';
import { ConnectionResolver } from '../activities/connection-resolver.js';
import { ContainmentLedger } from './containment-ledger.js';
import { ConnectionsService } from './connections.service.js';
import { DbConnectionResolver } from './db-connection-resolver.js';
import { EnrichmentCache } from './enrichment-cache.js';
import { ContainmentExpiryScheduler, TemporalExpiryScheduler } from './expiry-scheduler.js';
import { IntegrationLimiter } from './integration-limiter.js';
import { OverrideApprovals } from './override-approvals.js';
import { ProtectedAssetsService } from './protected-assets.service.js';
import { SecretsCipher } from './secrets-cipher.js';

/** What the API and the worker share of the integrations runtime (registered in CoreModule). */
export const CONNECTION_PROVIDERS: Provider[] = [
  SecretsCipher,
  ConnectionsService,
  IntegrationLimiter,
  EnrichmentCache,
  ContainmentLedger,
  ProtectedAssetsService,
  OverrideApprovals,
  { provide: ConnectionResolver, useClass: DbConnectionResolver },
  { provide: ContainmentExpiryScheduler, useClass: TemporalExpiryScheduler },
];
