import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { EscalationLevel } from '../../sla/escalation.js';

/** Whom to page, in order, when an SLA threshold is reached: levels of rotas and users, each with a delay before the next. */
@Entity({ name: 'escalation_policies' })
@Index('escalation_policies_name_uq', ['tenantId', 'name'], { unique: true })
export class EscalationPolicyEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'jsonb' })
  levels!: EscalationLevel[];

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
