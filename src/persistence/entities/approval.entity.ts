import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A human decision a playbook run waits for. The workflow decides (its `decideApproval` Update
 * validates and counts votes); this row mirrors it for the API: what is asked, the exact action and
 * target, the evidence, the votes so far and the outcome. One row per run, step and visit.
 */
@Entity({ name: 'approvals' })
@Index('approvals_tenant_status_idx', ['tenantId', 'status', 'createdAt'])
@Index('approvals_case_idx', ['tenantId', 'caseId'])
@Index('approvals_run_step_uq', ['workflowId', 'stepId', 'visit'], { unique: true })
export class ApprovalEntity {
  /** Chosen by the workflow, so the run knows it before the row exists. */
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  /** The workflow that waits (the case run, or a sub-playbook or foreach chunk of it): decisions go there. */
  @Column({ name: 'workflow_id', type: 'text' })
  workflowId!: string;

  @Column({ name: 'step_id', type: 'text' })
  stepId!: string;

  @Column({ type: 'text' })
  visit!: string;

  /** Rendered. */
  @Column({ type: 'text' })
  question!: string;

  /** The guarded action's key, when the approval guards one. */
  @Column({ type: 'text', nullable: true })
  action!: string | null;

  /** What the guarded action targets (`host WS-0142`). */
  @Column({ type: 'text', nullable: true })
  target!: string | null;

  /** The guarded action's parameters, rendered with what the run knew when it asked. */
  @Column({ type: 'jsonb', nullable: true })
  params!: unknown;

  /** The approval's `context` expressions, evaluated: label → value. */
  @Column({ type: 'jsonb', default: {} })
  evidence!: Record<string, unknown>;

  /** `[{ roles, timeout, notify? }]`, in escalation order. */
  @Column({ type: 'jsonb' })
  levels!: Array<{ roles: string[]; timeout: string; notify?: string }>;

  /** 0-based index of the level currently open. */
  @Column({ name: 'level_index', type: 'integer', default: 0 })
  levelIndex!: number;

  @Column({ type: 'integer', default: 1 })
  quorum!: number;

  /** `[{ actorId, roles, decision, comment?, via, level, at }]`. */
  @Column({ type: 'jsonb' })
  votes!: Array<Record<string, unknown>>;

  /** `pending`, `approved`, `rejected`, `expired`. */
  @Column({ type: 'text', default: 'pending' })
  status!: string;

  /** `approve` or `reject` once decided (for an expired approval, its default outcome). */
  @Column({ type: 'text', nullable: true })
  outcome!: string | null;

  @Column({ name: 'default_outcome', type: 'text' })
  defaultOutcome!: string;

  @Column({ name: 'outcome_reason', type: 'text', nullable: true })
  outcomeReason!: string | null;

  /** The actor who started the run (`playbook` for alert-triggered runs): may not approve. */
  @Column({ name: 'requested_by', type: 'text' })
  requestedBy!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  /** When the current level times out. */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;
}
