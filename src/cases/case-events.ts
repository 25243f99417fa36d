/**
 * The timeline's INSERT lives in src/timeline; the case services that write a line inside their own
 * transaction (notes, updates, playbook status) still import it from here.
 */
export { appendCaseEvent, appendCaseEvents, caseEventInsert, type NewCaseEvent } from '../timeline/index.js';
