/**
 * Validates playbook YAML before Vigil runs it, in three passes, each error naming file, line,
 * column and path (`steps[2].with.ip`):
 * 1. YAML syntax (yaml-source-map.ts locates every path in the source);
 * 2. shape, against the zod schema in playbook.schema.ts (schema-wording.ts words its issues);
 * 3. meaning: unique step ids, route targets in the same list, no unreachable step, no route cycle
 *    (flow-graph.ts), actions and their parameters against the integration catalogue, templates,
 *    expressions and the names they read (meaning-checks.ts).
 * A valid playbook comes back typed, with the sha256 of its canonical JSON: the pin a case keeps.
 * Steps are read only through workflows/language/step-model.ts. This file is the public entry.
 */
export type { PlaybookActionCatalog } from './meaning-checks.js';
export { formatPath, type PlaybookError, type PlaybookErrorCode } from './playbook-errors.js';
export {
  analyzePlaybookText,
  canonicalJson,
  type LoadedPlaybook,
  type PlaybookAnalysis,
  loadPlaybookDirectory,
  type PlaybookDirectory,
  playbookHash,
  type PlaybookSource,
  type PlaybookValidation,
  validatePlaybookSet,
  validatePlaybookText,
} from './playbook-loading.js';
export { MAX_PLAYBOOK_BYTES, MAX_PLAYBOOK_DEPTH, MAX_PLAYBOOK_NODES, MAX_REPORTED_ERRORS, type PlaybookBound } from './playbook-bounds.js';
export { cappedErrors, type PlaybookTooLarge, type TenantPlaybookSource, type TenantValidation, validateForTenant, type ValidationReport } from './tenant-validation.js';
