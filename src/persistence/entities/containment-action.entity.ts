import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type ContainmentStatus = 'pending' | 'succeeded' | 'failed';

/**
 * The ledger of containment actions, one row per idempotency key (workflow id + step id + visit):
 * a retried or replayed activity finds its row and returns the recorded result instead of calling
 * the vendor again. Revert reads it to undo what a case did.
 */
@Entity({ name: 'containment_actions' })
@Index('containment_actions_key_uq', ['tenantId', 'idempotencyKey'], { unique: true })
@Index('containment_actions_case_idx', ['tenantId', 'caseId', 'createdAt'])
export class ContainmentActionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'case_id', type: 'uuid', nullable: true })
  caseId!: string | null;

  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey!: string;

  @Column({ name: 'workflow_id', type: 'text', nullable: true })
  workflowId!: string | null;

  @Column({ name: 'step_id', type: 'text', nullable: true })
  stepId!: string | null;

  @Column({ type: 'text' })
  action!: string;

  /** The action that undoes this one, from the catalogue. */
  @Column({ type: 'text', nullable: true })
  inverse!: string | null;

  /** The validated input (the inverse takes the same). */
  @Column({ type: 'jsonb' })
  input!: Record<string, unknown>;

  @Column({ type: 'text', nullable: true })
  target!: string | null;

  @Column({ type: 'text', default: 'pending' })
  status!: ContainmentStatus;

  @Column({ type: 'jsonb', nullable: true })
  result!: unknown;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  /** Set on rows that undo another row: such rows are never themselves reverted. */
  @Column({ name: 'reverts_id', type: 'uuid', nullable: true })
  revertsId!: string | null;

  /** The approval that allowed containment of a protected asset. */
  @Column({ name: 'override_approval_id', type: 'text', nullable: true })
  overrideApprovalId!: string | null;

  /** When the containment undoes itself (`expiresIn` on the step). */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'reverted_at', type: 'timestamptz', nullable: true })
  revertedAt!: Date | null;

  /** `expired` or `requested`. */
  @Column({ name: 'revert_reason', type: 'text', nullable: true })
  revertReason!: string | null;

  @Column({ name: 'reverted_by', type: 'text', nullable: true })
  revertedBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
