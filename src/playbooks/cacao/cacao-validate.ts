/**
 * Structural validation of CACAO 2.0 playbooks, before Vigil imports one.
 *
 * It checks what the official JSON schemas check that import relies on (required properties,
 * identifier and timestamp formats, step keys matching their type) and what those schemas cannot
 * express: references to steps that do not exist, `on_completion` together with
 * `on_success`/`on_failure`, unknown step types, and variables used without a declaration.
 * Open vocabularies (command and agent types) only give warnings: producers such as SOARCA use
 * their own values and the specification allows them.
 *
 * Lenient where a deviation is harmless to a run, so that every published example imports: those
 * deviations are warnings with their JSON Pointer (see "Lenient readings" in README.md): identifiers
 * that are not `<type>--<uuid>` (kept as they are), a `workflow_start` that names a step other than a
 * start step (the run starts there), a `workflow_exception` naming a missing step (ignored), `modified`
 * earlier than `created`, an action without commands (a manual task), a switch without a value (a
 * manual decision). Strict where the specification says MUST and a run would be wrong: unknown step
 * types, references to missing steps, exclusive pointers, a workflow that can never reach an end.
 */
import { CACAO_AGENT_TARGET_TYPES, CACAO_COMMAND_TYPES, CACAO_STEP_TYPES, type CacaoIssue, type CacaoIssueCode, type CacaoIssueSeverity } from './cacao.types.js';
import { decodeBase64Text, identifierType, isIdentifier, isRecord, referencedVariableKeys, TIMESTAMP_PATTERN, VARIABLE_KEY_PATTERN } from './cacao-shared.js';

const STEP_TYPES: ReadonlySet<string> = new Set(CACAO_STEP_TYPES);
const COMMAND_TYPES: ReadonlySet<string> = new Set(CACAO_COMMAND_TYPES);
const AGENT_TYPES: ReadonlySet<string> = new Set(CACAO_AGENT_TARGET_TYPES);
const POINTERS = ['on_completion', 'on_success', 'on_failure', 'on_true', 'on_false'] as const;

/** JSON Pointer (RFC 6901) for a path of keys. */
export function jsonPointer(...segments: (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

export function hasErrors(issues: readonly CacaoIssue[]): boolean {
  return issues.some((issue) => issue.severity === 'error');
}

/** Every element, holes included: callers may pass arrays built in code, not only parsed JSON. */
function elements(array: unknown[]): unknown[] {
  return Array.from(array);
}

class Issues {
  readonly list: CacaoIssue[] = [];

  add(severity: CacaoIssueSeverity, code: CacaoIssueCode, path: string, message: string): void {
    this.list.push({ path, code, message, severity });
  }

  error(code: CacaoIssueCode, path: string, message: string): void {
    this.add('error', code, path, message);
  }

  warning(code: CacaoIssueCode, path: string, message: string): void {
    this.add('warning', code, path, message);
  }
}

/** Checks a parsed CACAO document; an empty list or warnings only means Vigil can import it. */
export function validateCacao(doc: unknown): CacaoIssue[] {
  const issues = new Issues();
  if (!isRecord(doc)) {
    issues.error('not-an-object', '', 'a CACAO playbook is a JSON object');
    return issues.list;
  }

  checkMetadata(doc, issues);
  const declared = declaredVariables(doc, issues);
  const agents = checkAgentTargets(doc, 'agent_definitions', issues);
  const targets = checkAgentTargets(doc, 'target_definitions', issues);

  const workflow = doc['workflow'];
  if (workflow === undefined) {
    issues.error('missing-property', '/workflow', 'the playbook has no workflow');
    return issues.list;
  }
  if (Array.isArray(workflow)) {
    issues.error('draft-workflow-list', '/workflow', draftListMessage(workflow));
    return issues.list;
  }
  if (!isRecord(workflow) || Object.keys(workflow).length === 0) {
    issues.error('invalid-value', '/workflow', 'workflow must be an object with at least one step');
    return issues.list;
  }

  for (const [key, step] of Object.entries(workflow)) checkStep(key, step, workflow, { declared, agents, targets }, issues);
  checkEntryPoints(doc, workflow, issues);
  checkReachability(doc, workflow, issues);
  checkTermination(doc, workflow, issues);
  return issues.list;
}

/**
 * A list of steps with `step_uuid` is the layout of a CACAO 2.0 draft (SOARCA wrote it before 2023-10);
 * CACAO 2.0 keys steps by id. Read as such it may still not run: say what else is wrong.
 */
function draftListMessage(steps: unknown[]): string {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  elements(steps).forEach((step, i) => {
    const id = isRecord(step) ? step['step_uuid'] : undefined;
    if (typeof id !== 'string') return;
    const first = seen.get(id);
    if (first !== undefined) problems.push(`/workflow/${first} and /workflow/${i} share the step_uuid '${id}'`);
    else seen.set(id, i);
  });
  elements(steps).forEach((step, i) => {
    if (!isRecord(step)) return;
    for (const pointer of POINTERS) {
      const ref = step[pointer];
      if (typeof ref === 'string' && !seen.has(ref)) problems.push(`/workflow/${i}/${pointer} names '${ref}', which no step has`);
    }
  });
  const base = 'workflow is a list of steps with step_uuid, the layout of a CACAO 2.0 draft; CACAO 2.0 keys the steps of workflow by their identifiers';
  return problems.length > 0 ? `${base}. Read as a list it would still not run: ${problems.join('; ')}` : base;
}

/** Where a step can go, with `undefined` standing for "the branch ends here" (an end step, or no on_completion / on_success). */
function exitsOf(step: Record<string, unknown>): (string | undefined)[] {
  if (step['type'] === 'end') return [undefined];
  const ref = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const after = ref(step['on_completion']) ?? ref(step['on_success']);
  const out: (string | undefined)[] = [after];
  const failure = ref(step['on_failure']);
  if (failure !== undefined) out.push(failure);
  switch (step['type']) {
    case 'if-condition':
    case 'while-condition':
      out.push(ref(step['on_true']), ref(step['on_false']));
      break;
    case 'parallel':
      if (Array.isArray(step['next_steps'])) out.push(...step['next_steps'].map(ref));
      break;
    case 'switch-condition':
      if (isRecord(step['cases'])) out.push(...Object.values(step['cases']).map(ref));
      break;
    default:
      break;
  }
  return out.filter((exit, i) => i === 0 || exit !== undefined);
}

/**
 * A run must be able to finish: steps from which no path leads to an end (a step that loops to
 * itself or a ring of steps with no way out, as in SOARCA's infinite_playbook test) would run for
 * ever. Loops through a while-condition are fine: its condition can turn false.
 */
function checkTermination(doc: Record<string, unknown>, workflow: Record<string, unknown>, issues: Issues): void {
  const finishes = new Set<string>();
  const steps = Object.entries(workflow).filter((entry): entry is [string, Record<string, unknown>] => isRecord(entry[1]));
  const canEnd = (exit: string | undefined): boolean => exit === undefined || finishes.has(exit) || !Object.hasOwn(workflow, exit);
  for (let grew = true; grew;) {
    grew = false;
    for (const [id, step] of steps) {
      if (finishes.has(id)) continue;
      const exits = exitsOf(step);
      // A while-condition goes on after the loop when its condition turns false, whatever its body does.
      if (step['type'] === 'while-condition' ? canEnd(exits[0]) : exits.some(canEnd)) {
        finishes.add(id);
        grew = true;
      }
    }
  }
  const start = doc['workflow_start'];
  const reachable = new Set<string>();
  const queue = typeof start === 'string' && Object.hasOwn(workflow, start) ? [start] : [];
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (reachable.has(id)) continue;
    reachable.add(id);
    const step = workflow[id];
    if (isRecord(step)) for (const exit of exitsOf(step)) if (exit !== undefined && Object.hasOwn(workflow, exit)) queue.push(exit);
  }
  // Reported where the loop is: the steps that lead back to themselves, not every step before them.
  const stuck = steps.map(([id]) => id).filter((id) => reachable.has(id) && !finishes.has(id));
  for (const id of stuck) {
    if (leadsBackTo(id, workflow))
      issues.error(
        'endless-loop',
        jsonPointer('workflow', id),
        `no path from step '${id}' reaches an end: it leads only back to itself through steps that never finish, so a run would never end`,
      );
  }
}

function leadsBackTo(id: string, workflow: Record<string, unknown>): boolean {
  const seen = new Set<string>();
  const queue = [id];
  while (queue.length > 0) {
    const step = workflow[queue.pop()!];
    if (!isRecord(step)) continue;
    for (const exit of exitsOf(step)) {
      if (exit === id) return true;
      if (exit !== undefined && Object.hasOwn(workflow, exit) && !seen.has(exit)) {
        seen.add(exit);
        queue.push(exit);
      }
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Playbook metadata

function checkMetadata(doc: Record<string, unknown>, issues: Issues): void {
  if (doc['type'] === undefined) issues.error('missing-property', '/type', "type is required and must be 'playbook'");
  else if (doc['type'] !== 'playbook') issues.error('invalid-value', '/type', `type must be 'playbook', not ${JSON.stringify(doc['type'])}`);

  if (doc['spec_version'] === undefined) issues.error('missing-property', '/spec_version', "spec_version is required and must be 'cacao-2.0'");
  else if (doc['spec_version'] !== 'cacao-2.0') issues.error('invalid-value', '/spec_version', `spec_version must be 'cacao-2.0', not ${JSON.stringify(doc['spec_version'])}`);

  checkIdentifierProperty(doc, 'id', 'playbook', issues);
  if (doc['name'] === undefined) issues.error('missing-property', '/name', 'name is required');
  else if (typeof doc['name'] !== 'string' || doc['name'].trim() === '') issues.error('invalid-value', '/name', 'name must be a non-empty string');
  if (doc['description'] !== undefined && typeof doc['description'] !== 'string') issues.error('invalid-value', '/description', 'description must be a string');
  checkIdentifierProperty(doc, 'created_by', undefined, issues);

  const created = checkTimestampProperty(doc, 'created', true, issues);
  const modified = checkTimestampProperty(doc, 'modified', true, issues);
  if (created && modified && Date.parse(modified) < Date.parse(created)) {
    issues.warning('invalid-value', '/modified', `modified (${modified}) is earlier than created (${created}); Vigil takes modified as the version all the same`);
  }
  checkTimestampProperty(doc, 'valid_from', false, issues);
  checkTimestampProperty(doc, 'valid_until', false, issues);

  for (const key of ['priority', 'severity', 'impact'] as const) {
    const value = doc[key];
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 100)) {
      issues.error('invalid-value', jsonPointer(key), `${key} must be a whole number from 0 to 100`);
    }
  }

  const extensions = doc['extension_definitions'];
  if (extensions !== undefined) {
    if (!isRecord(extensions)) issues.error('invalid-value', '/extension_definitions', 'extension_definitions must be an object');
    else
      for (const key of Object.keys(extensions))
        if (identifierType(key) !== 'extension-definition')
          issues.warning('invalid-identifier', jsonPointer('extension_definitions', key), `'${key}' is not an extension-definition--<uuid> identifier; it is kept as it is`);
  }
}

function checkIdentifierProperty(doc: Record<string, unknown>, key: string, expectedType: string | undefined, issues: Issues): void {
  const value = doc[key];
  const path = jsonPointer(key);
  if (value === undefined) {
    issues.error('missing-property', path, `${key} is required`);
  } else if (typeof value !== 'string' || value.trim() === '') {
    issues.error('invalid-identifier', path, `${key} must be an identifier like ${expectedType ?? 'identity'}--<uuid>, not ${JSON.stringify(value)}`);
  } else if (!isIdentifier(value)) {
    issues.warning('invalid-identifier', path, `${key} '${value}' is not an identifier like ${expectedType ?? 'identity'}--<uuid>; it is kept as it is`);
  } else if (expectedType !== undefined && identifierType(value) !== expectedType) {
    issues.warning('invalid-identifier', path, `${key} '${value}' is not a ${expectedType}--<uuid> identifier; it is kept as it is`);
  }
}

function checkTimestampProperty(doc: Record<string, unknown>, key: string, required: boolean, issues: Issues): string | undefined {
  const value = doc[key];
  const path = jsonPointer(key);
  if (value === undefined) {
    if (required) issues.error('missing-property', path, `${key} is required`);
    return undefined;
  }
  if (typeof value !== 'string' || !TIMESTAMP_PATTERN.test(value)) {
    issues.error('invalid-timestamp', path, `${key} must be an RFC 3339 UTC timestamp such as 2023-02-19T01:09:00.000Z, not ${JSON.stringify(value)}`);
    return undefined;
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Variables, agents and targets

function checkVariables(variables: unknown, path: string, declared: Set<string>, issues: Issues): void {
  if (variables === undefined) return;
  if (!isRecord(variables)) {
    issues.error('invalid-value', path, 'variables must be an object keyed by __name__');
    return;
  }
  for (const [key, variable] of Object.entries(variables)) {
    const at = `${path}${jsonPointer(key)}`;
    if (!VARIABLE_KEY_PATTERN.test(key))
      issues.error('invalid-variable-name', at, `variable '${key}' must be named like __name__ (letters, digits, _ and -, between double underscores)`);
    declared.add(key);
    if (!isRecord(variable)) {
      issues.error('invalid-value', at, 'a variable is an object with at least a type');
      continue;
    }
    if (typeof variable['type'] !== 'string') issues.error('missing-property', `${at}/type`, `variable '${key}' needs a type (string, integer, ipv4-addr, …)`);
    const value = variable['value'];
    if (value !== undefined && value !== null && typeof value !== 'string') {
      issues.error('invalid-value', `${at}/value`, `the value of '${key}' must be a string (numbers and booleans are written as strings) or null`);
    }
    for (const flag of ['constant', 'external'] as const) {
      if (variable[flag] !== undefined && typeof variable[flag] !== 'boolean') issues.error('invalid-value', `${at}/${flag}`, `${flag} must be true or false`);
    }
  }
}

/** Every variable key declared at playbook level or on any step (Vigil has one variable scope per run). */
function declaredVariables(doc: Record<string, unknown>, issues: Issues): Set<string> {
  const declared = new Set<string>();
  checkVariables(doc['playbook_variables'], '/playbook_variables', declared, issues);
  const workflow = doc['workflow'];
  if (isRecord(workflow)) {
    for (const [key, step] of Object.entries(workflow)) {
      if (isRecord(step)) checkVariables(step['step_variables'], jsonPointer('workflow', key, 'step_variables'), declared, issues);
    }
  }
  return declared;
}

function checkAgentTargets(doc: Record<string, unknown>, property: 'agent_definitions' | 'target_definitions', issues: Issues): Set<string> {
  const ids = new Set<string>();
  const definitions = doc[property];
  if (definitions === undefined) return ids;
  if (!isRecord(definitions)) {
    issues.error('invalid-value', jsonPointer(property), `${property} must be an object keyed by identifier`);
    return ids;
  }
  for (const [key, definition] of Object.entries(definitions)) {
    const at = jsonPointer(property, key);
    ids.add(key);
    if (!isIdentifier(key)) issues.warning('invalid-identifier', at, `'${key}' is not an identifier like <type>--<uuid>; it is kept as it is`);
    if (!isRecord(definition)) {
      issues.error('invalid-value', at, 'an agent or target is an object');
      continue;
    }
    const type = definition['type'];
    if (typeof type !== 'string') {
      issues.error('missing-property', `${at}/type`, 'an agent or target needs a type');
      continue;
    }
    if (!AGENT_TYPES.has(type))
      issues.warning('unknown-agent-type', `${at}/type`, `agent-target type '${type}' is not in CACAO's vocabulary; Vigil does not use it to run commands`);
    const keyType = isIdentifier(key) ? identifierType(key) : undefined;
    if (keyType !== undefined && keyType !== type) {
      // The official schemas bind each vocabulary key prefix to its type (http-api--… is type http-api): that is a contradiction, not a naming habit.
      if (AGENT_TYPES.has(keyType))
        issues.error(
          'key-type-mismatch',
          `${at}/type`,
          `'${key}' is keyed as a CACAO ${keyType} agent-target but has type '${type}'; the CACAO 2.0 schemas require type '${keyType}'`,
        );
      else issues.warning('key-type-mismatch', at, `key '${key}' does not start with its type '${type}'`);
    }
    if (typeof definition['name'] !== 'string') issues.warning('missing-property', `${at}/name`, 'an agent or target should have a name');
    checkContact(definition['contact'], `${at}/contact`, issues);
  }
  return ids;
}

/** An address: one @, no spaces, quotes, semicolons or shell characters (RFC 5322's common form). */
const EMAIL_PATTERN = /^[A-Za-z0-9.!#$%&'*+/=?^_{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** Vigil sends nothing to agent contacts, so a malformed address is only worth a warning. */
function checkContact(contact: unknown, at: string, issues: Issues): void {
  if (!isRecord(contact) || !isRecord(contact['email'])) return;
  for (const [label, address] of Object.entries(contact['email'])) {
    if (typeof address !== 'string' || !EMAIL_PATTERN.test(address) || /[`;]/.test(address))
      issues.warning('invalid-value', `${at}/email${jsonPointer(label)}`, `${JSON.stringify(address)} is not an e-mail address; Vigil does not use agent contacts`);
  }
}

// ---------------------------------------------------------------------------------------------
// Workflow steps

interface StepContext {
  declared: Set<string>;
  agents: Set<string>;
  targets: Set<string>;
}

/** A reference must name a step of the workflow; one that is not `<type>--<uuid>` is warned about once, at the step key. */
function checkReference(value: unknown, path: string, workflow: Record<string, unknown>, issues: Issues): void {
  if (typeof value !== 'string' || value === '') {
    issues.error('invalid-identifier', path, `a step reference must be an identifier like action--<uuid>, not ${JSON.stringify(value)}`);
  } else if (!Object.hasOwn(workflow, value)) {
    issues.error('dangling-reference', path, `step '${value}' is not in the workflow`);
  }
}

function checkVariableUse(text: string, path: string, declared: Set<string>, issues: Issues): void {
  for (const key of new Set(referencedVariableKeys(text))) {
    if (!declared.has(key)) issues.error('undeclared-variable', path, `variable ${key} is used but declared neither in playbook_variables nor in any step_variables`);
  }
}

function checkStep(key: string, step: unknown, workflow: Record<string, unknown>, context: StepContext, issues: Issues): void {
  const at = jsonPointer('workflow', key);
  if (!isIdentifier(key)) issues.warning('invalid-identifier', at, `step key '${key}' is not an identifier like <type>--<uuid>; it is kept as it is`);
  if (!isRecord(step)) {
    issues.error('not-an-object', at, 'a workflow step is an object');
    return;
  }
  const type = step['type'];
  if (type === undefined) {
    issues.error('missing-property', `${at}/type`, 'a workflow step needs a type');
    return;
  }
  if (typeof type !== 'string' || !STEP_TYPES.has(type)) {
    issues.error('unknown-step-type', `${at}/type`, `unknown step type ${JSON.stringify(type)}; CACAO 2.0 steps are ${CACAO_STEP_TYPES.join(', ')}`);
    return;
  }
  if (isIdentifier(key) && identifierType(key) !== type) issues.warning('key-type-mismatch', at, `step key '${key}' does not start with its type ${type}; the type decides`);

  for (const property of ['name', 'description'] as const) {
    if (step[property] !== undefined && typeof step[property] !== 'string') issues.error('invalid-value', `${at}/${property}`, `${property} must be a string`);
  }
  for (const property of ['delay', 'timeout'] as const) {
    const value = step[property];
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 0)) {
      issues.error('invalid-value', `${at}/${property}`, `${property} is a whole number of milliseconds, 0 or more`);
    }
  }

  for (const pointer of POINTERS) if (step[pointer] !== undefined) checkReference(step[pointer], `${at}/${pointer}`, workflow, issues);

  const hasCompletion = step['on_completion'] !== undefined;
  const hasSuccess = step['on_success'] !== undefined;
  const hasFailure = step['on_failure'] !== undefined;
  if (hasCompletion && (hasSuccess || hasFailure)) {
    const others = [hasSuccess ? 'on_success' : '', hasFailure ? 'on_failure' : ''].filter((s) => s !== '').join(' and ');
    issues.error('exclusive-pointers', `${at}/on_completion`, `on_completion cannot be set together with ${others}`);
  }
  if (type === 'start') {
    for (const pointer of ['on_success', 'on_failure'] as const)
      if (step[pointer] !== undefined) issues.error('forbidden-pointer', `${at}/${pointer}`, `a start step cannot have ${pointer}; use on_completion`);
    if (!hasCompletion) issues.error('missing-successor', at, 'the start step needs on_completion');
  } else if (type === 'end') {
    for (const pointer of ['on_completion', 'on_success', 'on_failure'] as const)
      if (step[pointer] !== undefined) issues.error('forbidden-pointer', `${at}/${pointer}`, `an end step cannot have ${pointer}`);
  } else if (!hasCompletion && !hasSuccess) {
    issues.warning('missing-successor', at, 'the step has neither on_completion nor on_success; the branch ends after it');
  }
  if (type !== 'if-condition' && type !== 'while-condition') {
    for (const pointer of ['on_true', 'on_false'] as const)
      if (step[pointer] !== undefined) issues.error('forbidden-pointer', `${at}/${pointer}`, `${pointer} belongs to if-condition and while-condition steps, not ${type}`);
  }

  switch (type) {
    case 'action':
      checkActionStep(step, at, context, issues);
      break;
    case 'playbook-action': {
      const id = step['playbook_id'];
      if (id === undefined) issues.error('missing-property', `${at}/playbook_id`, 'a playbook-action step needs playbook_id');
      else if (typeof id !== 'string' || id === '')
        issues.error('invalid-identifier', `${at}/playbook_id`, `playbook_id must be a playbook--<uuid> identifier, not ${JSON.stringify(id)}`);
      else if (!isIdentifier(id) || identifierType(id) !== 'playbook')
        issues.warning('invalid-identifier', `${at}/playbook_id`, `playbook_id '${id}' is not a playbook--<uuid> identifier; it is kept as it is`);
      const version = step['playbook_version'];
      if (version !== undefined && (typeof version !== 'string' || !TIMESTAMP_PATTERN.test(version)))
        issues.error('invalid-timestamp', `${at}/playbook_version`, 'playbook_version must be the modified timestamp of the referenced playbook');
      break;
    }
    case 'parallel': {
      const next = step['next_steps'];
      if (next === undefined) issues.error('missing-property', `${at}/next_steps`, 'a parallel step needs next_steps');
      else if (!Array.isArray(next)) issues.error('invalid-value', `${at}/next_steps`, 'next_steps must be a list of step ids');
      else {
        if (next.length < 2) issues.error('invalid-value', `${at}/next_steps`, 'a parallel step needs at least two next_steps');
        elements(next).forEach((ref, i) => checkReference(ref, `${at}/next_steps/${i}`, workflow, issues));
      }
      break;
    }
    case 'if-condition':
    case 'while-condition': {
      const condition = step['condition'];
      if (condition === undefined) issues.error('missing-property', `${at}/condition`, `an ${type} step needs a condition`);
      else if (typeof condition !== 'string') issues.error('invalid-value', `${at}/condition`, 'condition must be a string');
      else checkVariableUse(condition, `${at}/condition`, context.declared, issues);
      if (step['on_true'] === undefined) issues.error('missing-property', `${at}/on_true`, `an ${type} step needs on_true`);
      if (type === 'while-condition' && step['on_false'] !== undefined)
        issues.error('forbidden-pointer', `${at}/on_false`, 'a while-condition step has no on_false; on_completion follows the loop');
      break;
    }
    case 'switch-condition': {
      const value = step['switch'];
      if (value === undefined)
        issues.warning(
          'missing-property',
          `${at}/switch`,
          'the switch-condition has no switch value; Vigil asks an analyst to pick the case, one approval per case value, the last rejection taking the default case',
        );
      else if (typeof value !== 'string') issues.error('invalid-value', `${at}/switch`, 'switch must be a string');
      else checkVariableUse(value, `${at}/switch`, context.declared, issues);
      const cases = step['cases'];
      if (cases === undefined) issues.error('missing-property', `${at}/cases`, 'a switch-condition step needs cases');
      else if (!isRecord(cases) || Object.keys(cases).length === 0) issues.error('invalid-value', `${at}/cases`, 'cases must map at least one case value to a step id');
      else for (const [caseValue, ref] of Object.entries(cases)) checkReference(ref, `${at}/cases${jsonPointer(caseValue)}`, workflow, issues);
      break;
    }
    default:
      break;
  }
}

function checkActionStep(step: Record<string, unknown>, at: string, context: StepContext, issues: Issues): void {
  const commands = step['commands'];
  if (commands === undefined || (Array.isArray(commands) && commands.length === 0))
    issues.warning('missing-property', `${at}/commands`, 'the action step has no command; Vigil imports it as a manual task that says so');
  else if (!Array.isArray(commands)) issues.error('invalid-value', `${at}/commands`, 'commands must be a list');
  else elements(commands).forEach((command, i) => checkCommand(command, `${at}/commands/${i}`, context, issues));

  const agent = step['agent'];
  if (agent === undefined) issues.warning('missing-property', `${at}/agent`, 'the action step names no agent');
  else if (typeof agent !== 'string' || agent === '') issues.error('invalid-identifier', `${at}/agent`, `agent must be an identifier, not ${JSON.stringify(agent)}`);
  else if (!context.agents.has(agent)) issues.warning('undefined-agent', `${at}/agent`, `agent '${agent}' is not in agent_definitions`);

  const targets = step['targets'];
  if (targets !== undefined) {
    if (!Array.isArray(targets)) issues.error('invalid-value', `${at}/targets`, 'targets must be a list of identifiers');
    else
      elements(targets).forEach((target, i) => {
        if (typeof target !== 'string' || target === '') issues.error('invalid-identifier', `${at}/targets/${i}`, `a target must be an identifier, not ${JSON.stringify(target)}`);
        else if (!context.targets.has(target)) issues.warning('undefined-target', `${at}/targets/${i}`, `target '${target}' is not in target_definitions`);
      });
  }
  for (const property of ['in_args', 'out_args'] as const) {
    const args = step[property];
    if (args === undefined) continue;
    if (!Array.isArray(args) || elements(args).some((a) => typeof a !== 'string')) {
      issues.error('invalid-value', `${at}/${property}`, `${property} must be a list of variable names`);
      continue;
    }
    for (const name of args as string[])
      if (!context.declared.has(name)) issues.warning('undeclared-variable', `${at}/${property}`, `${property} names ${name}, which is not declared`);
  }
}

function checkCommand(command: unknown, at: string, context: StepContext, issues: Issues): void {
  if (!isRecord(command)) {
    issues.error('not-an-object', at, 'a command is an object');
    return;
  }
  const type = command['type'];
  if (typeof type !== 'string') {
    issues.error('missing-property', `${at}/type`, 'a command needs a type');
    return;
  }
  if (!COMMAND_TYPES.has(type)) issues.warning('unknown-command-type', `${at}/type`, `command type '${type}' is not in CACAO's vocabulary (${CACAO_COMMAND_TYPES.join(', ')})`);

  for (const property of ['command', 'command_b64', 'content', 'content_b64', 'description', 'url', 'http_method'] as const) {
    if (command[property] !== undefined && typeof command[property] !== 'string') issues.error('invalid-value', `${at}/${property}`, `${property} must be a string`);
  }
  const headers = command['headers'];
  if (headers !== undefined && (!isRecord(headers) || Object.values(headers).some((v) => !Array.isArray(v) || elements(v).some((s) => typeof s !== 'string')))) {
    issues.error('invalid-value', `${at}/headers`, 'headers map each header name to a list of strings');
  }
  if (type === 'http-api' && command['command'] === undefined && command['url'] === undefined) {
    issues.error('missing-property', `${at}/command`, 'an http-api command needs command, an HTTP start line such as "GET /api/items HTTP/1.1"');
  }
  if (type === 'openc2-http') {
    if (command['command'] === undefined)
      issues.error('missing-property', `${at}/command`, 'an openc2-http command needs command, an HTTP start line such as "POST /openc2 HTTP/1.1"');
    if (command['content_b64'] === undefined) issues.error('missing-property', `${at}/content_b64`, 'an openc2-http command needs content_b64, the base64 OpenC2 command');
  }

  // Variables may hide inside base64 payloads too: check the decoded text.
  for (const property of ['command', 'content', 'command_b64', 'content_b64'] as const) {
    const value = command[property];
    if (typeof value !== 'string') continue;
    const text = property.endsWith('_b64') ? decodeBase64Text(value) : value;
    if (text !== undefined) checkVariableUse(text, `${at}/${property}`, context.declared, issues);
  }
  if (isRecord(headers)) {
    for (const [name, values] of Object.entries(headers)) {
      if (Array.isArray(values)) for (const value of values) if (typeof value === 'string') checkVariableUse(value, `${at}/headers${jsonPointer(name)}`, context.declared, issues);
    }
  }
}

function checkEntryPoints(doc: Record<string, unknown>, workflow: Record<string, unknown>, issues: Issues): void {
  const start = doc['workflow_start'];
  if (start === undefined) {
    issues.error('missing-property', '/workflow_start', 'workflow_start is required');
  } else {
    checkReference(start, '/workflow_start', workflow, issues);
    const step = typeof start === 'string' && Object.hasOwn(workflow, start) ? workflow[start] : undefined;
    if (isRecord(step) && step['type'] !== 'start')
      issues.warning(
        'not-a-start-step',
        '/workflow_start',
        `workflow_start names '${String(start)}', a ${JSON.stringify(step['type'])} step, not a start step; the run starts there`,
      );
  }
  const exception = doc['workflow_exception'];
  if (exception === undefined) return;
  if (typeof exception === 'string' && exception !== '' && !Object.hasOwn(workflow, exception))
    issues.warning('dangling-reference', '/workflow_exception', `workflow_exception names '${exception}', which is not in the workflow; it is ignored and failures stop the run`);
  else checkReference(exception, '/workflow_exception', workflow, issues);
}

/** Steps nothing leads to are most often a mistyped reference: say so. */
function checkReachability(doc: Record<string, unknown>, workflow: Record<string, unknown>, issues: Issues): void {
  const seen = new Set<string>();
  const queue: string[] = [];
  for (const root of [doc['workflow_start'], doc['workflow_exception']]) if (typeof root === 'string' && root in workflow) queue.push(root);
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const step = workflow[id];
    if (!isRecord(step)) continue;
    const next: unknown[] = POINTERS.map((p) => step[p]);
    if (Array.isArray(step['next_steps'])) next.push(...step['next_steps']);
    if (isRecord(step['cases'])) next.push(...Object.values(step['cases']));
    for (const ref of next) if (typeof ref === 'string' && ref in workflow && !seen.has(ref)) queue.push(ref);
  }
  for (const key of Object.keys(workflow)) {
    if (!seen.has(key)) issues.warning('unreachable-step', jsonPointer('workflow', key), `step '${key}' cannot be reached from workflow_start`);
  }
}
