import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One line of a tenant's audit log: who changed what, when, from where. Append-only: a trigger
 * created by the migration refuses UPDATE, DELETE and TRUNCATE of this table.
 */
@Entity({ name: 'audit_log' })
@Index('audit_log_tenant_idx', ['tenantId', 'id'])
@Index('audit_log_tenant_at_idx', ['tenantId', 'at'])
@Index('audit_log_tenant_actor_idx', ['tenantId', 'actor', 'id'])
@Index('audit_log_tenant_action_idx', ['tenantId', 'action', 'id'])
export class AuditEntryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;

  /** `api-key:<id>`, `user:<id>`, `playbook`, `system`. */
  @Column({ type: 'text' })
  actor!: string;

  /** What happened, `<object>.<verb>`: `case.updated`, `api_key.revoked`, … */
  @Column({ type: 'text' })
  action!: string;

  /** What it happened to: `case:<id>`, `tenant:<id>`, … */
  @Column({ type: 'text' })
  target!: string;

  @Column({ type: 'jsonb', default: {} })
  details!: Record<string, unknown>;

  /** Where the request came from, when it came over HTTP. */
  @Column({ type: 'text', nullable: true })
  ip!: string | null;

  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent!: string | null;
}
