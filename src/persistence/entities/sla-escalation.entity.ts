import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { ClockKind } from '../../sla/clocks.js';

/** One person paged by one level, and how each channel went. */
export interface EscalationRecipient {
  userId: string;
  name: string;
  email: string | null;
  /** The rota that put them on duty, null when the level names them directly. */
  rotaId: string | null;
}

export interface EscalationDelivery {
  channel: string;
  ok: boolean;
  /** The vendor's reference (Slack `ts`, PagerDuty `dedup_key`, message id), or the error code. */
  detail: string | null;
}

/**
 * One escalation page: a level of a clock's escalation policy paged at one threshold. The unique key
 * makes each (clock, threshold, level) page happen once, even when a worker retries or restarts.
 */
@Entity({ name: 'sla_escalations' })
@Index('sla_escalations_page_uq', ['tenantId', 'caseId', 'clock', 'threshold', 'level'], { unique: true })
export class SlaEscalationEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @Column({ type: 'text' })
  clock!: ClockKind;

  /** Percent of the clock's target. */
  @Column({ type: 'integer' })
  threshold!: number;

  /** Index of the escalation policy's level (0 first). */
  @Column({ type: 'integer' })
  level!: number;

  @Column({ name: 'escalation_policy_id', type: 'uuid', nullable: true })
  escalationPolicyId!: string | null;

  @Column({ type: 'jsonb', default: [] })
  recipients!: EscalationRecipient[];

  /** The notification actions the level pages through (`email.send`, `slack.post_message`, `pagerduty.trigger`). */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  channels!: string[];

  @Column({ type: 'jsonb', default: [] })
  deliveries!: EscalationDelivery[];

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true })
  acknowledgedAt!: Date | null;

  /** `user:<id>`, `api-key:<id>`, `slack:<user>` or `link:<email>`. */
  @Column({ name: 'acknowledged_by', type: 'text', nullable: true })
  acknowledgedBy!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
