import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One line of a case timeline: who did what, when. Written by the service or activity that did the work. */
@Entity({ name: 'case_events' })
@Index('case_events_case_idx', ['tenantId', 'caseId', 'at'])
@Index('case_events_dedup_uq', ['tenantId', 'dedupKey'], { unique: true })
export class CaseEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;

  /** `playbook`, `system`, `api-key:<id>`, `user:<id>`. */
  @Column({ type: 'text' })
  actor!: string;

  /** `alert_joined`, `run_started`, `step_finished`, `step_failed`, `status_changed`, `run_finished`, … */
  @Column({ type: 'text' })
  kind!: string;

  @Column({ name: 'step_id', type: 'text', nullable: true })
  stepId!: string | null;

  @Column({ type: 'text' })
  message!: string;

  @Column({ type: 'jsonb', default: {} })
  data!: Record<string, unknown>;

  /** Makes a retried or replayed activity write its line once. */
  @Column({ name: 'dedup_key', type: 'text', nullable: true })
  dedupKey!: string | null;
}
