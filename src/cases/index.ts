// What the cases feature offers the rest of Vigil; other features import from here only.
export { type CaseRunsService, type StepEventInput } from './case-runs.service.js';
export { CASE_ROUTE_DOCS } from './cases.openapi.js';
