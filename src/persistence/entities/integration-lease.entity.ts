import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One vendor call in flight, counted against the tenant's concurrency cap for that vendor; expires if its worker dies. */
@Entity({ name: 'integration_leases' })
@Index('integration_leases_vendor_idx', ['tenantId', 'vendor'])
export class IntegrationLeaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  vendor!: string;

  /** The idempotency key of the call: a retry of the same step replaces its own stale lease. */
  @Column({ type: 'text' })
  holder!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
