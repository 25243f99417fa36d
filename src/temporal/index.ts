// What the temporal feature offers the rest of Vigil; other features import from here only.
export { LazyTemporalClient } from './lazy-temporal-client.js';
export { ApprovalRefusedError, Orchestrator, RevertAlreadyRunningError } from './orchestrator.port.js';
