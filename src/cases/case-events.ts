/**
 * The case timeline's statements live in the timeline repository; the case services that write a
 * line inside their own transaction (notes, updates, playbook status) still import them from here.
 */
export { appendCaseEvent, appendCaseEvents, caseEventInsert, type NewCaseEvent } from '../timeline/timeline.repository.js';
