import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The working time a stopped SLA clock took (`case_sla_clocks.id`), computed once in Node with the
 * clock's own calendar and holds, so the SLA figures' percentiles are plain SQL aggregates. Kept
 * beside the clock rows rather than in them: it is derived, and recomputed when `stopped_at` moves
 * (a reopened and stopped-again clock).
 */
@Entity({ name: 'sla_clock_elapsed' })
@Index('sla_clock_elapsed_tenant_idx', ['tenantId'])
export class SlaClockElapsedEntity {
  @PrimaryColumn({ name: 'clock_id', type: 'uuid' })
  clockId!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  /** The `stopped_at` the figure was computed for. */
  @Column({ name: 'stopped_at', type: 'timestamptz' })
  stoppedAt!: Date;

  @Column({ name: 'elapsed_ms', type: 'bigint' })
  elapsedMs!: string;
}
