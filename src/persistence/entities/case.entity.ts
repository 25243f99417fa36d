import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { CaseStatusName } from '../../../workflows/language/playbook.types.js';

/** `none`: no playbook matched the case's first alert. */
export type RunStatus = 'none' | 'pending' | 'running' | 'completed' | 'failed';

/** The analyst's unit of work: correlated alerts, a status, and the playbook run working on it. */
@Entity({ name: 'cases' })
@Index('cases_tenant_created_idx', ['tenantId', 'createdAt'])
@Index('cases_correlation_idx', ['tenantId', 'fingerprint', 'lastAlertAt'])
@Index('cases_tenant_updated_idx', ['tenantId', 'updatedAt'])
@Index('cases_tenant_severity_idx', ['tenantId', 'severityId', 'createdAt'])
@Index('cases_tenant_status_idx', ['tenantId', 'status', 'createdAt'])
@Index('cases_tenant_assignee_idx', ['tenantId', 'assignee', 'createdAt'])
// A GIN index for `tags @> ARRAY[…]`; TypeORM cannot describe its method, so the migration owns it.
@Index('cases_tags_idx', { synchronize: false })
export class CaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text', default: 'new' })
  status!: CaseStatusName;

  @Column({ name: 'severity_id', type: 'smallint' })
  severityId!: number;

  /** Correlation fingerprint of the alerts this case groups. */
  @Column({ type: 'text' })
  fingerprint!: string;

  @Column({ type: 'text' })
  source!: string;

  @Column({ name: 'alert_count', type: 'integer', default: 0 })
  alertCount!: number;

  @Column({ name: 'playbook_id', type: 'text', nullable: true })
  playbookId!: string | null;

  @Column({ name: 'playbook_version', type: 'text', nullable: true })
  playbookVersion!: string | null;

  /** SHA-256 of the playbook content pinned for this case's run. */
  @Column({ name: 'playbook_hash', type: 'text', nullable: true })
  playbookHash!: string | null;

  @Column({ name: 'run_status', type: 'text', default: 'pending' })
  runStatus!: RunStatus;

  @Column({ name: 'workflow_id', type: 'text' })
  workflowId!: string;

  /** The Temporal task queue of the deployment that opened the case: its SLA clock signals go to that deployment's relays. */
  @Column({ name: 'task_queue', type: 'text', default: 'vigil' })
  taskQueue!: string;

  /** `true_positive`, `benign_positive`, `false_positive`; `merged` when absorbed by another case. */
  @Column({ type: 'text', nullable: true })
  resolution!: string | null;

  /** Who works the case (free text: usually the analyst's email or `user:<id>`). */
  @Column({ type: 'text', nullable: true })
  assignee!: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags!: string[];

  /** Set when this case was merged into another: the surviving case. */
  @Column({ name: 'merged_into', type: 'uuid', nullable: true })
  mergedInto!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'last_alert_at', type: 'timestamptz' })
  lastAlertAt!: Date;
}
