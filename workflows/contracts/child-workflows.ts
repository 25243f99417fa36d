import type { PinnedPlaybook } from './case-messages.js';
import type { CaseStatusName, EndStep, ForeachStep, Playbook, RetrySpec, Step } from '../language/playbook.types.js';
import type { PinnedReads } from '../language/step-reads.js';

/**
 * What the case run and the child workflows it starts agree on: their inputs, results and type names.
 * The interpreter starts children by these names, so it never imports the workflows themselves.
 */
export const FOREACH_CHUNK_WORKFLOW = 'foreachChunkWorkflow';
export const SUB_PLAYBOOK_WORKFLOW = 'subPlaybookWorkflow';

/** What every child run shares with the case run that started it. */
export interface ChildRunContext {
  tenantId: string;
  caseId: string;
  regularActions: string[];
  dryRun: boolean;
  requestedBy: string;
  /** Posters of the alerts the case run had heard when it started this child: they may not approve its requests either. */
  posters?: string[];
  subPlaybooks: Record<string, PinnedPlaybook>;
  /** Notify template files pinned with the case's run. */
  templates?: Record<string, string>;
  /** What the steps this child runs read (the pinned reads of its playbook, or of the foreach body). */
  reads?: PinnedReads;
}

export interface ForeachItemResult {
  item: unknown;
  status: 'completed';
  /** The body's step results for this item: `{ <step id>: { output, status, error? } }`. */
  steps: Record<string, unknown>;
}

export interface ForeachChunkInput extends ChildRunContext {
  step: Pick<ForeachStep, 'id' | 'as' | 'steps'>;
  /** Action steps outside the body that approvals in it guard. */
  guarded: Step[];
  items: unknown[];
  /** Index of the first item in the whole list. */
  offset: number;
  concurrency: number;
  /** The part of the enclosing scope the body reads. */
  scope: Record<string, unknown>;
  /** The foreach step's visit: item visits are keyed `<visitBase>[<index>]/…` as in the parent. */
  visitBase: string;
  retry?: RetrySpec;
}

export interface ForeachChunkResult {
  items: ForeachItemResult[];
  end?: EndStep;
}

export type ForeachChunkWorkflow = (input: ForeachChunkInput) => Promise<ForeachChunkResult>;

export interface SubPlaybookInput extends ChildRunContext {
  playbook: Playbook;
  playbookHash: string;
  /** `alert`, `case`, `observables` of the case and the sub-playbook's `inputs`. */
  scope: Record<string, unknown>;
}

export interface SubPlaybookResult {
  status?: CaseStatusName;
  resolution?: string;
  /** The sub-playbook's variables (`set` steps and action `output`s): what the caller reads back. */
  vars: Record<string, unknown>;
  stepsRun: number;
}

export type SubPlaybookWorkflow = (input: SubPlaybookInput) => Promise<SubPlaybookResult>;
