/**
 * The subset of OASIS CACAO Security Playbooks 2.0 that Vigil reads and writes.
 *
 * Property names are CACAO's own (snake_case) so documents can be read and written as they are.
 * Open vocabularies (command types, agent types, variable types) are plain strings: the
 * specification allows values outside its lists, and the validator warns about them instead of
 * rejecting them.
 */

/** `<object-type>--<uuid>`, e.g. `action--6398eb05-3eb8-43f5-87d3-f24e07492a41`. */
export type CacaoIdentifier = string;
/** RFC 3339 in UTC with a `Z`, e.g. `2023-02-19T01:09:00.000Z`. */
export type CacaoTimestamp = string;

export const CACAO_STEP_TYPES = ['start', 'end', 'action', 'playbook-action', 'parallel', 'if-condition', 'while-condition', 'switch-condition'] as const;
export type CacaoStepType = (typeof CACAO_STEP_TYPES)[number];

/** The command-type-ov vocabulary of the specification. */
export const CACAO_COMMAND_TYPES = ['manual', 'bash', 'caldera-cmd', 'elastic', 'http-api', 'jupyter', 'kestrel', 'openc2-http', 'powershell', 'sigma', 'ssh', 'yara'] as const;
export type CacaoCommandType = (typeof CACAO_COMMAND_TYPES)[number];

/** The agent-target-type-ov vocabulary of the specification. */
export const CACAO_AGENT_TARGET_TYPES = ['group', 'individual', 'location', 'organization', 'sector', 'http-api', 'linux', 'net-address', 'security-category', 'ssh'] as const;
export type CacaoAgentTargetType = (typeof CACAO_AGENT_TARGET_TYPES)[number];

export interface CacaoVariable {
  /** From variable-type-ov: `string`, `integer`, `bool`, `ipv4-addr`, … */
  type: string;
  description?: string;
  /** Numbers and booleans are encoded as strings; null means unknown. */
  value?: string | null;
  constant?: boolean;
  /** The initial value is passed in by the caller (playbook-level variables only). */
  external?: boolean;
}

/** Keys look like `__name__`. */
export type CacaoVariables = Record<string, CacaoVariable>;

export interface CacaoExternalReference {
  name: string;
  description?: string;
  source?: string;
  url?: string;
  external_id?: string;
  reference_id?: string;
}

/** Header name to list of values. */
export type CacaoHttpHeaders = Record<string, string[]>;

export interface CacaoCommand {
  type: string;
  description?: string;
  version?: string;
  playbook_activity?: string;
  external_references?: CacaoExternalReference[];
  /** A simple command; for http-api and openc2-http an HTTP start line (`GET /path HTTP/1.1`). */
  command?: string;
  command_b64?: string;
  headers?: CacaoHttpHeaders;
  content?: string;
  content_b64?: string;
  /** Not in CACAO 2.0: some producers add them to http-api commands; read, never written. */
  url?: string;
  http_method?: string;
}

/** An extension's properties, keyed by `extension-definition--<uuid>`. */
export type CacaoExtensions = Record<CacaoIdentifier, Record<string, unknown>>;

export interface CacaoStepBase {
  type: CacaoStepType;
  name?: string;
  description?: string;
  external_references?: CacaoExternalReference[];
  /** Milliseconds to wait before the step starts. */
  delay?: number;
  /** Milliseconds after which the step is considered failed. */
  timeout?: number;
  step_variables?: CacaoVariables;
  owner?: CacaoIdentifier;
  on_completion?: CacaoIdentifier;
  on_success?: CacaoIdentifier;
  on_failure?: CacaoIdentifier;
  step_extensions?: CacaoExtensions;
}

export interface CacaoStartStep extends CacaoStepBase {
  type: 'start';
}

export interface CacaoEndStep extends CacaoStepBase {
  type: 'end';
}

export interface CacaoActionStep extends CacaoStepBase {
  type: 'action';
  /** Required by CACAO 2.0; Vigil imports an action without commands as a manual task. */
  commands?: CacaoCommand[];
  agent?: CacaoIdentifier;
  targets?: CacaoIdentifier[];
  in_args?: string[];
  out_args?: string[];
}

export interface CacaoPlaybookActionStep extends CacaoStepBase {
  type: 'playbook-action';
  playbook_id: CacaoIdentifier;
  playbook_version?: CacaoTimestamp;
  in_args?: string[];
  out_args?: string[];
}

export interface CacaoParallelStep extends CacaoStepBase {
  type: 'parallel';
  next_steps: CacaoIdentifier[];
}

export interface CacaoIfConditionStep extends CacaoStepBase {
  type: 'if-condition';
  condition: string;
  on_true: CacaoIdentifier;
  on_false?: CacaoIdentifier;
}

export interface CacaoWhileConditionStep extends CacaoStepBase {
  type: 'while-condition';
  condition: string;
  on_true: CacaoIdentifier;
}

export interface CacaoSwitchConditionStep extends CacaoStepBase {
  type: 'switch-condition';
  /** The value to match, usually a variable reference such as `__verdict__:value`. */
  /** Required by CACAO 2.0; without it Vigil imports the switch as a manual decision. */
  switch?: string;
  /** Case value to step id; the key `default` is taken when nothing else matches. */
  cases: Record<string, CacaoIdentifier>;
}

export type CacaoWorkflowStep =
  CacaoStartStep | CacaoEndStep | CacaoActionStep | CacaoPlaybookActionStep | CacaoParallelStep | CacaoIfConditionStep | CacaoWhileConditionStep | CacaoSwitchConditionStep;

export interface CacaoAgentTarget {
  type: string;
  name: string;
  description?: string;
  /** Address type (`dname`, `ipv4`, `ipv6`, `url`, `l2mac`, `vlan`) to values. */
  address?: Record<string, (string | number)[]>;
  /** TCP port as text; http-api defaults to 80. */
  port?: string;
  authentication_info?: CacaoIdentifier;
  category?: string[];
  contact?: Record<string, unknown>;
  location?: Record<string, unknown>;
  agent_target_extensions?: CacaoExtensions;
}

export interface CacaoExtensionDefinition {
  type: 'extension-definition';
  name: string;
  description?: string;
  created_by: CacaoIdentifier;
  /** A URL or text that defines the extension's properties. */
  schema: string;
  version: string;
  external_references?: CacaoExternalReference[];
}

export interface CacaoProcessingSummary {
  manual_playbook?: boolean;
  external_playbooks?: boolean;
  parallel_processing?: boolean;
  if_logic?: boolean;
  while_logic?: boolean;
  switch_logic?: boolean;
  temporal_logic?: boolean;
  data_markings?: boolean;
  digital_signatures?: boolean;
  countersigned_signatures?: boolean;
  extensions?: boolean;
}

export interface CacaoPlaybook {
  type: 'playbook';
  spec_version: 'cacao-2.0';
  id: CacaoIdentifier;
  name: string;
  description?: string;
  playbook_types?: string[];
  playbook_activities?: string[];
  playbook_processing_summary?: CacaoProcessingSummary;
  created_by: CacaoIdentifier;
  created: CacaoTimestamp;
  modified: CacaoTimestamp;
  revoked?: boolean;
  valid_from?: CacaoTimestamp;
  valid_until?: CacaoTimestamp;
  derived_from?: CacaoIdentifier[];
  related_to?: CacaoIdentifier[];
  /** 1 is the highest priority, 100 the lowest, 0 undefined. */
  priority?: number;
  severity?: number;
  impact?: number;
  industry_sectors?: string[];
  labels?: string[];
  external_references?: CacaoExternalReference[];
  markings?: CacaoIdentifier[];
  playbook_variables?: CacaoVariables;
  workflow_start: CacaoIdentifier;
  workflow_exception?: CacaoIdentifier;
  workflow: Record<CacaoIdentifier, CacaoWorkflowStep>;
  playbook_extensions?: CacaoExtensions;
  authentication_info_definitions?: Record<CacaoIdentifier, Record<string, unknown>>;
  agent_definitions?: Record<CacaoIdentifier, CacaoAgentTarget>;
  target_definitions?: Record<CacaoIdentifier, CacaoAgentTarget>;
  extension_definitions?: Record<CacaoIdentifier, CacaoExtensionDefinition>;
  data_marking_definitions?: Record<CacaoIdentifier, Record<string, unknown>>;
  signatures?: Record<string, unknown>[];
}

export type CacaoIssueSeverity = 'error' | 'warning';

/** One finding of `validateCacao`; `path` is a JSON Pointer into the document (`/workflow/action--…/on_completion`). */
export interface CacaoIssue {
  path: string;
  code: CacaoIssueCode;
  message: string;
  severity: CacaoIssueSeverity;
}

export type CacaoIssueCode =
  | 'not-an-object'
  | 'missing-property'
  | 'invalid-value'
  | 'invalid-identifier'
  | 'invalid-timestamp'
  | 'key-type-mismatch'
  | 'unknown-step-type'
  | 'dangling-reference'
  | 'exclusive-pointers'
  | 'forbidden-pointer'
  | 'missing-successor'
  | 'not-a-start-step'
  | 'unknown-command-type'
  | 'unknown-agent-type'
  | 'undefined-agent'
  | 'undefined-target'
  | 'invalid-variable-name'
  | 'undeclared-variable'
  | 'unreachable-step'
  | 'endless-loop'
  | 'draft-workflow-list';
