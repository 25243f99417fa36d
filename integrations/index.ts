import { z } from 'zod';
import type { ActionDefinition, ActionKind } from './core/action.js';
import { getFileReportAction } from './virustotal/get-file-report.action.js';
import { getIpReportAction } from './virustotal/get-ip-report.action.js';
import { getDomainReportAction } from './virustotal/get-domain-report.action.js';
import { getUrlReportAction } from './virustotal/get-url-report.action.js';
import { checkIpAction } from './abuseipdb/check-ip.action.js';
import { ipContextAction } from './greynoise/ip-context.action.js';
import { searchAttributesAction } from './misp/search-attributes.action.js';
import { addSightingAction } from './misp/add-sighting.action.js';
import { containHostAction } from './crowdstrike/contain-host.action.js';
import { liftContainmentAction } from './crowdstrike/lift-containment.action.js';
import { getDeviceAction } from './crowdstrike/get-device.action.js';
import { isolateMachineAction } from './defender/isolate-machine.action.js';
import { releaseMachineAction } from './defender/release-machine.action.js';
import { revokeSessionsAction } from './entra/revoke-sessions.action.js';
import { disableUserAction } from './entra/disable-user.action.js';
import { enableUserAction } from './entra/enable-user.action.js';
import { suspendUserAction } from './okta/suspend-user.action.js';
import { unsuspendUserAction } from './okta/unsuspend-user.action.js';
import { clearSessionsAction } from './okta/clear-sessions.action.js';
import { blockIpAction } from './panos/block-ip.action.js';
import { unblockIpAction } from './panos/unblock-ip.action.js';
import { denyIpv4Action } from './openc2/deny-ipv4.action.js';
import { allowIpv4Action } from './openc2/allow-ipv4.action.js';
import { deleteRuleAction } from './openc2/delete-rule.action.js';
import { commandAction as openC2CommandAction } from './openc2/command.action.js';
import { postMessageAction } from './slack/post-message.action.js';
import { triggerAction } from './pagerduty/trigger.action.js';
import { resolveAction } from './pagerduty/resolve.action.js';
import { createIssueAction } from './jira/create-issue.action.js';
import { addCommentAction } from './jira/add-comment.action.js';
import { sendEmailAction } from './email/send.action.js';
import { httpRequestAction } from './http/request.action.js';

/**
 * Every action Vigil can run, by key. The order is the order `GET /api/v1/integrations` lists
 * them in (grouped by vendor).
 */
const ACTIONS: readonly ActionDefinition[] = [
  getFileReportAction,
  getIpReportAction,
  getDomainReportAction,
  getUrlReportAction,
  checkIpAction,
  ipContextAction,
  searchAttributesAction,
  addSightingAction,
  containHostAction,
  liftContainmentAction,
  getDeviceAction,
  isolateMachineAction,
  releaseMachineAction,
  revokeSessionsAction,
  disableUserAction,
  enableUserAction,
  suspendUserAction,
  unsuspendUserAction,
  clearSessionsAction,
  blockIpAction,
  unblockIpAction,
  denyIpv4Action,
  openC2CommandAction,
  allowIpv4Action,
  deleteRuleAction,
  postMessageAction,
  triggerAction,
  resolveAction,
  createIssueAction,
  addCommentAction,
  sendEmailAction,
  httpRequestAction,
];

const KEY_PATTERN = /^[a-z][a-z0-9]*\.[a-z][a-z0-9_]*$/;

/** Checks the catalogue's own invariants; a broken catalogue must fail at start-up, not mid-incident. */
export function validateCatalog(actions: readonly ActionDefinition[]): Map<string, ActionDefinition> {
  const map = new Map<string, ActionDefinition>();
  for (const action of actions) {
    if (!KEY_PATTERN.test(action.key)) throw new Error(`action key ${action.key} is not vendor.snake_case`);
    if (!action.key.startsWith(`${action.vendor}.`)) throw new Error(`action ${action.key} does not start with its vendor ${action.vendor}`);
    if (map.has(action.key)) throw new Error(`duplicate action key ${action.key}`);
    if (!/^https:\/\//.test(action.docUrl)) throw new Error(`action ${action.key} has no https docUrl`);
    map.set(action.key, action);
  }
  for (const action of actions) {
    if (action.kind === 'containment' && action.inverse === undefined) throw new Error(`containment action ${action.key} names no inverse`);
    if (action.inverse !== undefined) {
      const inverse = map.get(action.inverse);
      if (!inverse) throw new Error(`action ${action.key} names unknown inverse ${action.inverse}`);
      if (inverse.vendor !== action.vendor) throw new Error(`inverse of ${action.key} belongs to another vendor`);
    }
  }
  return map;
}

export const ACTION_CATALOG: ReadonlyMap<string, ActionDefinition> = validateCatalog(ACTIONS);

export function findAction(key: string): ActionDefinition | undefined {
  return ACTION_CATALOG.get(key);
}

/** A JSON Schema object as produced by zod. */
export type JsonSchema = Record<string, unknown>;

export interface CatalogEntry {
  key: string;
  vendor: string;
  title: string;
  docUrl: string;
  kind: ActionKind;
  secrets: string[];
  inverse: string | null;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  // `input` describes what a playbook may pass (defaults optional); `output` what the action returns.
  return z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
}

let described: CatalogEntry[] | undefined;

/** JSON-serialisable description of every action, for `GET /api/v1/integrations` and validators. */
export function describeCatalog(): CatalogEntry[] {
  described ??= [...ACTION_CATALOG.values()].map((a) => ({
    key: a.key,
    vendor: a.vendor,
    title: a.title,
    docUrl: a.docUrl,
    kind: a.kind,
    secrets: [...a.secrets],
    inverse: a.inverse ?? null,
    inputSchema: jsonSchema(a.input, 'input'),
    outputSchema: jsonSchema(a.output, 'output'),
  }));
  // Callers get their own copy: the cached entries must not be mutated through the API layer.
  return structuredClone(described);
}
