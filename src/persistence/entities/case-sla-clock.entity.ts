import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { ClockKind, ClockStart, ClockStatus } from '../../sla/clocks.js';

/** A threshold of a stored clock: its instant (null while an open hold keeps it from coming) and when Vigil saw it reached. */
export interface StoredThreshold {
  percent: number;
  at: string | null;
  reachedAt: string | null;
}

/** A hold span of a stored clock, ISO instants (`to` null while the hold is open). */
export interface StoredPause {
  from: string;
  to: string | null;
}

/**
 * One SLA clock of a case (acknowledge, contain, resolve) as last planned by the case's clock
 * workflow: enough of the plan (target, pauses, calendar, thresholds) to compute `clockState` at read
 * time without re-reading policies, and the facts recorded once (threshold reached, met, breached).
 */
@Entity({ name: 'case_sla_clocks' })
@Index('case_sla_clocks_case_uq', ['tenantId', 'caseId', 'clock'], { unique: true })
@Index('case_sla_clocks_open_due_idx', ['tenantId', 'dueAt'], { where: '"stopped_at" IS NULL' })
@Index('case_sla_clocks_status_idx', ['tenantId', 'status', 'dueAt'])
export class CaseSlaClockEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @Column({ type: 'text' })
  clock!: ClockKind;

  /** The SLA policy that set the target (the tenant's or the MSSP-wide one). */
  @Column({ name: 'policy_id', type: 'uuid' })
  policyId!: string;

  /** The severity the clock follows: the highest the case has had. */
  @Column({ name: 'severity_id', type: 'smallint' })
  severityId!: number;

  @Column({ name: 'clock_start', type: 'text' })
  clockStart!: ClockStart;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  /** Working time allowed, in seconds. */
  @Column({ name: 'target_seconds', type: 'integer' })
  targetSeconds!: number;

  /** Null while an open hold keeps the clock from running out. */
  @Column({ name: 'due_at', type: 'timestamptz', nullable: true })
  dueAt!: Date | null;

  /** The "at risk" instant: the 80 % threshold, or the policy's highest below 100 (null when none). */
  @Column({ name: 'at_risk_at', type: 'timestamptz', nullable: true })
  atRiskAt!: Date | null;

  @Column({ type: 'jsonb', default: [] })
  thresholds!: StoredThreshold[];

  @Column({ type: 'jsonb', default: [] })
  pauses!: StoredPause[];

  /** The business calendar the clock counts in, as planned (24/7 when the policy names none). */
  @Column({ type: 'jsonb' })
  calendar!: Record<string, unknown>;

  @Column({ name: 'escalation_policy_id', type: 'uuid', nullable: true })
  escalationPolicyId!: string | null;

  @Column({ type: 'text' })
  status!: ClockStatus;

  /** When the clock stopped (acknowledged, contained, resolved); null while it runs. */
  @Column({ name: 'stopped_at', type: 'timestamptz', nullable: true })
  stoppedAt!: Date | null;

  @Column({ name: 'met_at', type: 'timestamptz', nullable: true })
  metAt!: Date | null;

  /** When Vigil recorded the breach (once). */
  @Column({ name: 'breached_at', type: 'timestamptz', nullable: true })
  breachedAt!: Date | null;

  /** Working time past the target, in milliseconds, as of the last plan or the stop. */
  @Column({ name: 'breached_by_ms', type: 'bigint', nullable: true })
  breachedByMs!: string | null;

  /** When someone acknowledged the clock's paging (stops escalation, not the clock). */
  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true })
  acknowledgedAt!: Date | null;

  @Column({ name: 'acknowledged_by', type: 'text', nullable: true })
  acknowledgedBy!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
