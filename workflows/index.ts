// The workflows the Vigil worker registers. Deterministic code only: see workflows/README.md.
export { caseWorkflow } from './case.workflow.js';
export { foreachChunkWorkflow, subPlaybookWorkflow } from './child.workflows.js';
export { expireContainmentWorkflow, revertCaseWorkflow } from './revert.workflow.js';
export { slaClocksWorkflow } from './sla-clocks.workflow.js';
