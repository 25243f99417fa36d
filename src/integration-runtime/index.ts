// What the integration-runtime feature offers the rest of Vigil; other features import from here only.
export { ConnectionResolver, NoConnectionError, type ResolvedConnection } from './connection-resolver.js';
export { ContainmentLedgerRepository, type ContainmentRecord } from './containment-ledger.repository.js';
export { EnrichmentCache } from './enrichment-cache.js';
export { ContainmentExpiryScheduler } from './expiry-scheduler.js';
export { IntegrationLimiter } from './integration-limiter.js';
export { INTEGRATION_ROUTE_DOCS } from './integrations.openapi.js';
export { OverrideApprovals } from './override-approvals.js';
export { findProtected, targetsOf } from './protected-asset-matching.js';
export { ProtectedAssetsService } from './protected-assets.service.js';
export { isContainingAction } from './vendor-profiles.js';
