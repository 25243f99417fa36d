import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { ClockStart } from '../../sla/clocks.js';

/** A tenant's promise for one severity (rows of the provider's tenant are the MSSP-wide defaults). */
@Entity({ name: 'sla_policies' })
@Index('sla_policies_severity_uq', ['tenantId', 'severityId'], { unique: true })
export class SlaPolicyEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  name!: string;

  /** OCSF severity_id the policy applies to. */
  @Column({ name: 'severity_id', type: 'smallint' })
  severityId!: number;

  /** Targets in seconds of working time. */
  @Column({ name: 'acknowledge_seconds', type: 'integer' })
  acknowledgeSeconds!: number;

  @Column({ name: 'contain_seconds', type: 'integer' })
  containSeconds!: number;

  @Column({ name: 'resolve_seconds', type: 'integer' })
  resolveSeconds!: number;

  /** `detected` (the alert's detection time) or `received` (its receipt by Vigil). */
  @Column({ name: 'clock_start', type: 'text' })
  clockStart!: ClockStart;

  /** Null: 24/7. */
  @Column({ name: 'calendar_id', type: 'uuid', nullable: true })
  calendarId!: string | null;

  @Column({ name: 'pause_on_hold', type: 'boolean', default: true })
  pauseOnHold!: boolean;

  /** Escalation points in percent of each target. */
  @Column({ type: 'integer', array: true, default: () => "'{50,80,100}'" })
  thresholds!: number[];

  @Column({ name: 'escalation_policy_id', type: 'uuid', nullable: true })
  escalationPolicyId!: string | null;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
