import type { CanonicalAlert, CanonicalObservable } from '../common/canonical-alert.js';
import type { Playbook, PlaybookTrigger } from '../../workflows/language/playbook.types.js';

export interface SelectablePlaybook {
  playbook: Playbook;
  hash: string;
}

/**
 * True when every condition the trigger names holds for this alert and tenant. `observables` is Vigil's
 * view of the alert's observables (with `kind`), which `observableTypes` matches.
 */
export function triggerMatches(trigger: PlaybookTrigger, alert: CanonicalAlert, source: string, tenantSlug: string, observables: readonly CanonicalObservable[]): boolean {
  if (trigger.sources && !trigger.sources.includes(source)) return false;
  if (trigger.minSeverity !== undefined && (alert.severity_id === 99 || alert.severity_id < trigger.minSeverity)) return false;
  if (trigger.tenants && !trigger.tenants.includes(tenantSlug)) return false;
  const attacks = alert.finding_info.attacks ?? [];
  if (trigger.tactics && !attacks.some((a) => a.tactic && trigger.tactics!.includes(a.tactic.uid))) return false;
  if (trigger.techniques && !attacks.some((a) => [a.technique?.uid, a.sub_technique?.uid].some((uid) => uid !== undefined && trigger.techniques!.includes(uid)))) {
    return false;
  }
  if (trigger.observableTypes && !observables.some((o) => trigger.observableTypes!.includes(o.kind))) return false;
  return true;
}

/**
 * Picks the playbook for a new case: among playbooks with a matching trigger, the highest priority
 * wins (ties by id, so the choice is stable). A playbook without triggers matches everything, at its priority.
 */
export function selectPlaybook<T extends SelectablePlaybook>(
  candidates: readonly T[],
  alert: CanonicalAlert,
  source: string,
  tenantSlug: string,
  observables: readonly CanonicalObservable[],
): T | undefined {
  let best: T | undefined;
  for (const c of candidates) {
    const triggers = c.playbook.triggers;
    const matches = !triggers || triggers.length === 0 || triggers.some((t) => triggerMatches(t, alert, source, tenantSlug, observables));
    if (!matches) continue;
    if (!best || (c.playbook.priority ?? 0) > (best.playbook.priority ?? 0) || ((c.playbook.priority ?? 0) === (best.playbook.priority ?? 0) && c.playbook.id < best.playbook.id)) {
      best = c;
    }
  }
  return best;
}
