import type { CaseStatusName } from '../../workflows/language/playbook.types.js';

/**
 * The case status machine: which status may follow which, and who may make the move. Pure data
 * and functions, shared by the API (analysts) and the playbook run writes (case-runs.service.ts).
 * The README section "Cases, tenants and audit" shows the same table.
 */
export const CASE_STATUSES = ['new', 'triaged', 'in_progress', 'contained', 'resolved', 'closed', 'on_hold', 'false_positive'] as const satisfies readonly CaseStatusName[];
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const CASE_RESOLUTIONS = ['true_positive', 'benign_positive', 'false_positive'] as const;
export type CaseResolution = (typeof CASE_RESOLUTIONS)[number];
/** Resolution of a case absorbed by a merge (set by Vigil, never by a caller). */
export const MERGED_RESOLUTION = 'merged';

/** Who moves the case: an analyst through the API, or a playbook `status`/`end` step. */
export type TransitionActor = 'analyst' | 'playbook';

/**
 * Allowed next statuses. `closed` is reachable from every other status (with a resolution), so a
 * case can always be closed, and a merge can always close the absorbed case. Moves out of
 * `resolved`, `closed` and `false_positive` reopen the case: only analysts may do that.
 */
export const CASE_TRANSITIONS: Readonly<Record<CaseStatus, readonly CaseStatus[]>> = {
  new: ['triaged', 'in_progress', 'contained', 'on_hold', 'false_positive', 'closed'],
  triaged: ['in_progress', 'contained', 'on_hold', 'resolved', 'false_positive', 'closed'],
  in_progress: ['contained', 'on_hold', 'resolved', 'false_positive', 'closed'],
  contained: ['in_progress', 'on_hold', 'resolved', 'closed'],
  on_hold: ['triaged', 'in_progress', 'contained', 'false_positive', 'closed'],
  resolved: ['in_progress', 'closed'],
  false_positive: ['triaged', 'closed'],
  closed: ['in_progress'],
};

/** Statuses in which the work is finished; leaving one reopens the case (analysts only). */
export const FINISHED_STATUSES: ReadonlySet<CaseStatus> = new Set(['resolved', 'closed', 'false_positive']);

export function isCaseStatus(value: unknown): value is CaseStatus {
  return typeof value === 'string' && (CASE_STATUSES as readonly string[]).includes(value);
}

export function isCaseResolution(value: unknown): value is CaseResolution {
  return typeof value === 'string' && (CASE_RESOLUTIONS as readonly string[]).includes(value);
}

/** Next statuses `actor` may move a case in `from` to (never `from` itself). */
export function allowedTransitions(from: CaseStatus, actor: TransitionActor = 'analyst'): CaseStatus[] {
  const next = CASE_TRANSITIONS[from];
  if (actor === 'playbook' && FINISHED_STATUSES.has(from)) return next.filter((to) => FINISHED_STATUSES.has(to));
  return [...next];
}

export function canTransition(from: CaseStatus, to: CaseStatus, actor: TransitionActor = 'analyst'): boolean {
  return allowedTransitions(from, actor).includes(to);
}

export type TransitionCheck =
  | { ok: true; resolution: CaseResolution | null; reopens: boolean }
  | { ok: false; code: 'invalid_transition'; message: string; allowed: CaseStatus[] }
  | { ok: false; code: 'resolution_required' | 'invalid_resolution'; message: string };

/**
 * Checks one status change with the resolution the case will carry afterwards.
 * `closed` needs a resolution (given now, or already on the case); `false_positive` implies the
 * `false_positive` resolution; reopening drops the old resolution.
 */
export function checkTransition(input: {
  from: CaseStatus;
  to: CaseStatus;
  actor?: TransitionActor;
  /** The resolution sent with the change, if any. */
  resolution?: CaseResolution | null;
  /** The resolution the case holds now. */
  currentResolution?: string | null;
}): TransitionCheck {
  const actor = input.actor ?? 'analyst';
  const allowed = allowedTransitions(input.from, actor);
  if (!allowed.includes(input.to)) {
    return { ok: false, code: 'invalid_transition', message: `a case in status ${input.from} cannot move to ${input.to}`, allowed };
  }
  const reopens = FINISHED_STATUSES.has(input.from) && !FINISHED_STATUSES.has(input.to);
  const given = input.resolution ?? null;
  const current = isCaseResolution(input.currentResolution) ? input.currentResolution : null;
  if (input.to === 'false_positive') {
    if (given !== null && given !== 'false_positive') {
      return { ok: false, code: 'invalid_resolution', message: `status false_positive goes with resolution false_positive, not ${given}` };
    }
    return { ok: true, resolution: 'false_positive', reopens };
  }
  if (input.to === 'closed') {
    const resolution = given ?? current;
    if (resolution === null) {
      return { ok: false, code: 'resolution_required', message: `closing a case needs a resolution: one of ${CASE_RESOLUTIONS.join(', ')}` };
    }
    return { ok: true, resolution, reopens };
  }
  if (reopens) {
    if (given !== null) return { ok: false, code: 'invalid_resolution', message: `a reopened case (${input.to}) carries no resolution` };
    return { ok: true, resolution: null, reopens };
  }
  if (given !== null && input.to !== 'resolved') {
    return { ok: false, code: 'invalid_resolution', message: `a resolution is set when resolving or closing a case, not in status ${input.to}` };
  }
  return { ok: true, resolution: given ?? current, reopens };
}
