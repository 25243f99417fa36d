import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { DailyInterval, Weekday } from '../../sla/calendar.js';

/** When SLA clocks count for a tenant (or, on the provider's tenant, MSSP-wide): 24/7 or business hours, a zone, holidays. */
@Entity({ name: 'sla_calendars' })
@Index('sla_calendars_name_uq', ['tenantId', 'name'], { unique: true })
export class SlaCalendarEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  name!: string;

  /** `24x7` or `business_hours`. */
  @Column({ type: 'text' })
  kind!: '24x7' | 'business_hours';

  /** IANA zone the hours and holidays are read in. */
  @Column({ name: 'time_zone', type: 'text' })
  timeZone!: string;

  /** Open spans per weekday (`{"mon":[{"start":"09:00","end":"17:00"}]}`). */
  @Column({ type: 'jsonb', default: {} })
  hours!: Partial<Record<Weekday, DailyInterval[]>>;

  /** ISO dates closed all day in the calendar's zone. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  holidays!: string[];

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
