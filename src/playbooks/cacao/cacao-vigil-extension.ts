/**
 * The Vigil CACAO extension: Vigil-only details of steps and playbooks (integration action keys and
 * parameters, `set` expressions, approval levels, loop bounds, end status, ids) that CACAO has no
 * property for. The exporter writes it; the importer reads it back so that a playbook exported by
 * Vigil is imported without loss. Routes never travel in the extension: CACAO's own pointers
 * (on_completion, on_true, cases, …) stay authoritative, so a graph edited in another CACAO tool
 * is imported as edited.
 */
import type { CacaoExtensionDefinition, CacaoExtensions } from './cacao.types.js';
import type { PlaybookInput, PlaybookTrigger, Step, StepKind } from '../../../workflows/language/playbook.types.js';
import { isRecord, STEP_ID_PATTERN, VIGIL_EXTENSION_ID, VIGIL_PLAYBOOK_PROPERTY, VIGIL_STEP_PROPERTY } from './cacao-shared.js';

/** Which Vigil route a step's CACAO `on_failure` stands for (approvals: a rejection, by default). */
export const VIGIL_FAILURE_ROUTE_PROPERTY = 'vigil_failure_route';
export type VigilFailureRoute = 'onReject' | 'onFailure';

export function vigilExtensionDefinition(createdBy: string): CacaoExtensionDefinition {
  return {
    type: 'extension-definition',
    name: 'Vigil playbook details',
    description:
      'Details of the Vigil playbook this CACAO playbook was exported from, so that Vigil can import it again without loss. CACAO tools may ignore it: the workflow is complete without it.',
    created_by: createdBy,
    schema:
      'Step extension: vigil_step is the Vigil step (kind and parameters, without routes or nested steps); vigil_failure_route says whether on_failure is the onReject or the onFailure route. Playbook extension: vigil_playbook holds id, version, priority, triggers, inputs and the id and name of the step that sets the initial variables.',
    version: '1.0.0',
  };
}

/** Per kind, the fields the extension may carry, with the JSON type each must have. */
type FieldType = 'string' | 'number' | 'object' | 'array';
const COMMON_FIELDS: Record<string, FieldType> = { name: 'string', when: 'string', timeout: 'string', retry: 'object' };
const KIND_FIELDS: Record<StepKind, Record<string, FieldType>> = {
  action: { action: 'string', with: 'object', output: 'string' },
  condition: { if: 'string' },
  switch: { on: 'string' },
  parallel: { join: 'string' },
  foreach: { items: 'string', as: 'string', concurrency: 'number' },
  loop: { while: 'string', maxIterations: 'number' },
  approval: { question: 'string', context: 'object', guards: 'string', quorum: 'number', levels: 'array', defaultOutcome: 'string' },
  wait: { duration: 'string', until: 'string' },
  set: { vars: 'object' },
  notify: { channel: 'string', template: 'string', with: 'object' },
  playbook: { playbook: 'string', inputs: 'object' },
  end: { status: 'string', resolution: 'string', summary: 'string' },
  status: { status: 'string' },
};
/** Fields a step of the kind cannot do without. */
const REQUIRED_FIELDS: Record<StepKind, string[]> = {
  action: ['action'],
  condition: ['if'],
  switch: ['on'],
  parallel: [],
  foreach: ['items'],
  loop: ['while', 'maxIterations'],
  approval: ['question', 'levels', 'defaultOutcome'],
  wait: [],
  set: ['vars'],
  notify: ['channel', 'template'],
  playbook: ['playbook'],
  end: [],
  status: ['status'],
};

function hasType(value: unknown, type: FieldType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'object':
      return isRecord(value);
    case 'array':
      return Array.isArray(value);
  }
}

/** The Vigil fields of a step as the extension stores them: no routes, no nested lists, no onFailure. */
export function stepDetails(step: Step): Record<string, unknown> {
  const details: Record<string, unknown> = { id: step.id, kind: step.kind };
  const source = step as unknown as Record<string, unknown>;
  for (const field of [...Object.keys(COMMON_FIELDS), ...Object.keys(KIND_FIELDS[step.kind])]) {
    if (source[field] !== undefined) details[field] = source[field];
  }
  return details;
}

export function stepExtensions(step: Step, failureRoute?: VigilFailureRoute): CacaoExtensions {
  const content: Record<string, unknown> = { [VIGIL_STEP_PROPERTY]: stepDetails(step) };
  if (failureRoute) content[VIGIL_FAILURE_ROUTE_PROPERTY] = failureRoute;
  return { [VIGIL_EXTENSION_ID]: content };
}

export interface StoredStep {
  id?: string;
  kind: StepKind;
  /** Checked fields, ready to spread onto a step of `kind`. */
  fields: Record<string, unknown>;
  failureRoute?: VigilFailureRoute;
}

/** Reads the Vigil step stored on a CACAO step; undefined when absent or malformed. */
export function readStoredStep(stepExtensionsValue: unknown): StoredStep | undefined {
  if (!isRecord(stepExtensionsValue)) return undefined;
  const content = stepExtensionsValue[VIGIL_EXTENSION_ID];
  if (!isRecord(content)) return undefined;
  const stored = content[VIGIL_STEP_PROPERTY];
  if (!isRecord(stored) || typeof stored['kind'] !== 'string' || !(stored['kind'] in KIND_FIELDS)) return undefined;
  const kind = stored['kind'] as StepKind;
  const fields: Record<string, unknown> = {};
  for (const [field, type] of Object.entries({ ...COMMON_FIELDS, ...KIND_FIELDS[kind] })) {
    const value = stored[field];
    if (value !== undefined && hasType(value, type)) fields[field] = value;
  }
  if (REQUIRED_FIELDS[kind].some((field) => fields[field] === undefined)) return undefined;
  const id = typeof stored['id'] === 'string' && STEP_ID_PATTERN.test(stored['id']) ? stored['id'] : undefined;
  const route = content[VIGIL_FAILURE_ROUTE_PROPERTY];
  const failureRoute = route === 'onReject' || route === 'onFailure' ? route : undefined;
  return { id, kind, fields, failureRoute };
}

export interface StoredPlaybook {
  id?: string;
  version?: string;
  priority?: number;
  triggers?: PlaybookTrigger[];
  inputs?: PlaybookInput[];
  /** Id and name of the `set` step folded into playbook_variables on export. */
  initStepId?: string;
  initStepName?: string;
}

export function playbookExtensions(stored: StoredPlaybook): CacaoExtensions {
  const content: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(stored)) if (value !== undefined) content[key] = value;
  return { [VIGIL_EXTENSION_ID]: { [VIGIL_PLAYBOOK_PROPERTY]: content } };
}

export function readStoredPlaybook(playbookExtensionsValue: unknown): StoredPlaybook {
  if (!isRecord(playbookExtensionsValue)) return {};
  const content = playbookExtensionsValue[VIGIL_EXTENSION_ID];
  if (!isRecord(content)) return {};
  const stored = content[VIGIL_PLAYBOOK_PROPERTY];
  if (!isRecord(stored)) return {};
  const out: StoredPlaybook = {};
  if (typeof stored['id'] === 'string' && /^[a-z][a-z0-9_.-]*$/.test(stored['id'])) out.id = stored['id'];
  if (typeof stored['version'] === 'string' && stored['version'] !== '') out.version = stored['version'];
  if (typeof stored['priority'] === 'number' && Number.isInteger(stored['priority'])) out.priority = stored['priority'];
  // Triggers and inputs are taken as written: the playbook schema validates them after import.
  if (Array.isArray(stored['triggers']) && stored['triggers'].every(isRecord)) out.triggers = stored['triggers'] as PlaybookTrigger[];
  if (Array.isArray(stored['inputs']) && stored['inputs'].every((i) => isRecord(i) && typeof i['name'] === 'string' && typeof i['type'] === 'string')) {
    out.inputs = stored['inputs'] as unknown as PlaybookInput[];
  }
  if (typeof stored['initStepId'] === 'string' && STEP_ID_PATTERN.test(stored['initStepId'])) out.initStepId = stored['initStepId'];
  if (typeof stored['initStepName'] === 'string') out.initStepName = stored['initStepName'];
  return out;
}
