/**
 * A posted playbook validated as it would run for a tenant: alone, then with the tenant's other
 * playbooks (so sub-playbook references resolve). Plain data in and out, so it runs on a validation
 * thread (validation-pool.ts) as well as in process.
 */
import type { Playbook } from '../../../workflows/language/playbook.types.js';
import type { PlaybookActionCatalog } from './meaning-checks.js';
import { type PlaybookBound, MAX_REPORTED_ERRORS } from './playbook-bounds.js';
import type { PlaybookError } from './playbook-errors.js';
import { analyzePlaybookText, type PlaybookSource, validatePlaybookSet } from './playbook-loading.js';

export interface ValidationReport {
  valid: boolean;
  /** At most MAX_REPORTED_ERRORS, in source order. */
  errors: PlaybookError[];
  /** How many errors there are beyond those listed; absent when all are listed. */
  omittedErrors?: number;
  playbook?: { id: string; name: string; version: string; hash: string };
}

/** One of the tenant's other playbooks, by id so the version the posted one replaces is left out. */
export interface TenantPlaybookSource extends PlaybookSource {
  id: string;
}

/** What refusing a playbook over a bound says: the `playbook_too_large` error's message and details. */
export interface PlaybookTooLarge {
  message: string;
  details: { bound: PlaybookBound; limit: number; line?: number; column?: number };
}

export type TenantValidation = { tooLarge: PlaybookTooLarge } | { tooLarge?: undefined; report: ValidationReport; content?: Playbook };

/** The first MAX_REPORTED_ERRORS errors and how many more there are. */
export function cappedErrors(errors: PlaybookError[]): Pick<ValidationReport, 'errors' | 'omittedErrors'> {
  if (errors.length <= MAX_REPORTED_ERRORS) return { errors };
  return { errors: errors.slice(0, MAX_REPORTED_ERRORS), omittedErrors: errors.length - MAX_REPORTED_ERRORS };
}

export function validateForTenant(text: string, file: string, others: readonly TenantPlaybookSource[], catalog: PlaybookActionCatalog): TenantValidation {
  const { result: single, exceeded } = analyzePlaybookText(text, file, catalog);
  if (exceeded) {
    const where = single.ok ? undefined : single.errors[0];
    const position = where && exceeded.offset !== undefined ? { line: where.line, column: where.column } : {};
    return { tooLarge: { message: exceeded.message, details: { bound: exceeded.bound, limit: exceeded.limit, ...position } } };
  }
  if (!single.ok) return { report: { valid: false, ...cappedErrors(single.errors) } };
  // The posted playbook goes first so it keeps its id; the version it replaces is left out.
  const rest = others.filter((other) => other.id !== single.playbook.id).map(({ file: otherFile, text: otherText }) => ({ file: otherFile, text: otherText }));
  const set = validatePlaybookSet([{ file, text }, ...rest], catalog);
  // Errors in the tenant's other playbooks that only appear with this one (a sub-playbook input it dropped) are its errors too.
  if (set.errors.length > 0) return { report: { valid: false, ...cappedErrors(set.errors) } };
  return {
    report: { valid: true, errors: [], playbook: { id: single.playbook.id, name: single.playbook.name, version: single.playbook.version, hash: single.hash } },
    content: single.playbook,
  };
}
