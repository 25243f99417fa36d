import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Playbook } from '../language/playbook.types.js';
import type { PinnedReads } from '../language/step-reads.js';

/** One alert handed to a case workflow: its id and the canonical finding (never the raw payload). */
export interface CaseAlertMessage {
  alertId: string;
  /** The canonical OCSF finding, as plain JSON. */
  finding: Record<string, unknown>;
  /**
   * Vigil's view of the finding's observables (`kind`, `value`, `type_id`, `name`, `is_private` for IPs):
   * what the playbook scope's `alert.observables` lists. Absent in messages sent before Vigil kept it
   * beside the finding; those findings carried `kind` in their own observables.
   */
  observables?: Array<Record<string, unknown>>;
  /** Who posted it (`user:<id>` or `api-key:<id>`): the run counts them as a requester of its approvals. */
  postedBy?: string;
}

export interface CaseWorkflowInput {
  tenantId: string;
  caseId: string;
  playbook: Playbook;
  /** SHA-256 of the playbook content: the pin. */
  playbookHash: string;
  /** After the playbook finished, how long the workflow waits for more alerts before completing. */
  idleTimeout: string;
  /** Carried over continue-as-new: alert ids already seen, so a re-delivered signal is ignored. */
  seenAlertIds?: string[];
  /** Carried over continue-as-new: the run already finished its playbook. */
  playbookDone?: boolean;
  firstAlert?: CaseAlertMessage;
  /** Action keys to run as regular activities (containment, notification, ticketing); the rest run as local activities. */
  regularActions?: string[];
  /** Dry run: enrichment runs, every other action only records what it would have sent. */
  dryRun?: boolean;
  /** Playbooks this one runs as sub-playbooks (transitively), pinned by the relay like the playbook itself. */
  subPlaybooks?: Record<string, PinnedPlaybook>;
  /**
   * Who started the run: `playbook` for alert-triggered runs, else the analyst's actor id. Approvals
   * refuse their vote, and that of every alert's poster (`CaseAlertMessage.postedBy`).
   */
  startedBy?: string;
  /** Template files the notify steps name, by name, read when the run was pinned. */
  templates?: Record<string, string>;
  /** What each step's templates read, computed when the run was pinned (without it the workflow scans them). */
  reads?: PinnedReads;
}

/** A playbook's content and its hash, as pinned for a run. */
export interface PinnedPlaybook {
  playbook: Playbook;
  hash: string;
  /** What each of its steps' templates read (PlaybookLibraryService.pinRun adds it; without it the workflow scans them). */
  reads?: PinnedReads;
}

export type StepState = 'pending' | 'running' | 'completed' | 'failed' | 'skipped' | 'cancelled';

export interface StepStatus {
  stepId: string;
  state: StepState;
  attempt?: number;
  error?: string;
  startedAt?: number;
  finishedAt?: number;
}

export interface CaseRunState {
  playbookId: string;
  playbookVersion: string;
  playbookHash: string;
  runStatus: 'waiting_for_alert' | 'running' | 'completed' | 'failed';
  steps: StepStatus[];
  alertsSeen: number;
}

/** New alerts joined the case (the outbox relay sends this with signal-with-start). */
export const alertsAddedSignal = defineSignal<[CaseAlertMessage[]]>('alertsAdded');
/** The case was closed by an analyst: stop waiting for alerts. */
export const caseClosedSignal = defineSignal<[]>('caseClosed');
/** The case was merged into another case (which now holds its alerts): record it and stop waiting for alerts. */
export const caseMergedSignal = defineSignal<[{ intoCaseId: string }]>('caseMerged');
/** Live step states, for `GET /api/v1/cases/{id}`. */
export const runStateQuery = defineQuery<CaseRunState>('runState');

export const CASE_WORKFLOW_TYPE = 'caseWorkflow';

/** The case workflow id is derived from the case id, so signal-with-start finds the same run. */
export function caseWorkflowId(caseId: string): string {
  return `case-${caseId}`;
}
