import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { CanonicalAlert, CanonicalObservable } from '../../common/canonical-alert.js';

/** Why an alert joined its case, recorded at correlation time. */
export interface JoinReason {
  rule: 'new_case' | 'fingerprint';
  fingerprint: string;
  fields: string[];
  windowMinutes: number;
}

/** One re-send of an alert by its source: when, the alert's count after it, and which finding fields changed (dotted paths). */
export interface AlertChange {
  at: string;
  count: number;
  fields: string[];
}

/** One detection from one source, normalised. Idempotent on tenant + source + source uid. */
@Entity({ name: 'alerts' })
@Index('alerts_source_uid_uq', ['tenantId', 'source', 'sourceUid'], { unique: true })
@Index('alerts_case_idx', ['tenantId', 'caseId'])
export class AlertEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @Column({ type: 'text' })
  source!: string;

  /** `finding_info.uid`: the source's own id for this detection. */
  @Column({ name: 'source_uid', type: 'text' })
  sourceUid!: string;

  @Column({ type: 'text' })
  fingerprint!: string;

  @Column({ name: 'severity_id', type: 'smallint' })
  severityId!: number;

  @Column({ type: 'text' })
  title!: string;

  @Column({ name: 'event_time', type: 'timestamptz' })
  eventTime!: Date;

  /** The pure OCSF 1.8.0 Detection Finding. */
  @Column({ type: 'jsonb' })
  finding!: CanonicalAlert;

  /** Vigil's view of the finding's observables (`kind`, `value`, `type_id`, `name` = path in the finding, `is_private` for IPs). */
  @Column({ type: 'jsonb', default: [] })
  observables!: CanonicalObservable[];

  /** The vendor's item as received (`json`, not `jsonb`, so key order and spelling are kept). */
  @Column({ type: 'json' })
  raw!: unknown;

  /** How many times the source sent this detection. */
  @Column({ type: 'integer', default: 1 })
  count!: number;

  @Column({ name: 'first_seen_at', type: 'timestamptz' })
  firstSeenAt!: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz' })
  lastSeenAt!: Date;

  @Column({ name: 'join_reason', type: 'jsonb' })
  joinReason!: JoinReason;

  /** Re-sends of this detection that changed it, newest first (the last 20). */
  @Column({ type: 'jsonb', default: [] })
  changes!: AlertChange[];
}
