import type { ActionDefinition } from '../../integrations/core/action.js';
import { ACTION_CATALOG } from '../../integrations/index.js';

/** Every vendor the catalogue has actions for, in catalogue order. */
export const VENDORS: readonly string[] = [...new Set([...ACTION_CATALOG.values()].map((a) => a.vendor))];

export function actionsOfVendor(vendor: string): ActionDefinition[] {
  return [...ACTION_CATALOG.values()].filter((a) => a.vendor === vendor);
}

/** Secret names some action of the vendor needs: a connection without one of them cannot run that action. */
export function requiredSecretNames(vendor: string): string[] {
  return [...new Set(actionsOfVendor(vendor).flatMap((a) => a.secrets))].sort();
}

/**
 * Actions that release rather than contain (the inverse direction of a containment pair). They are
 * never refused for a protected asset and never "reverted" by a case revert. A new containment pair
 * adds its releasing side here; until then it is treated as containing, which is the safe side.
 */
export const RELEASING_ACTIONS: ReadonlySet<string> = new Set([
  'crowdstrike.lift_containment',
  'defender.release_machine',
  'entra.enable_user',
  'okta.unsuspend_user',
  'panos.unblock_ip',
  'openc2.allow_ipv4',
]);

/** A containment action that takes something away (contains, isolates, disables, blocks). */
export function isContainingAction(action: ActionDefinition): boolean {
  return action.kind === 'containment' && !RELEASING_ACTIONS.has(action.key);
}
