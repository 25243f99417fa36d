// What the timeline feature offers the rest of Vigil; other features import from here only.
export { appendCaseEvent, appendCaseEvents, caseEventInsert, type NewCaseEvent } from './timeline-insert.js';
export { TimelineRepository, markRunRunning, type StepEventInput } from './timeline.repository.js';
