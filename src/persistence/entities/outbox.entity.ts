import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A message for Temporal written in the ingest transaction; the relay delivers and deletes it. */
@Entity({ name: 'outbox' })
@Index('outbox_queue_available_idx', ['taskQueue', 'availableAt', 'id'])
export class OutboxEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @Column({ type: 'text' })
  kind!: string;

  /**
   * The task queue of the deployment that accepted the alert: a relay claims only its own queue's rows,
   * so deployments (or test stacks) sharing a database never start each other's workflows.
   */
  @Column({ name: 'task_queue', type: 'text', default: 'vigil' })
  taskQueue!: string;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'available_at', type: 'timestamptz', default: () => 'now()' })
  availableAt!: Date;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;
}
