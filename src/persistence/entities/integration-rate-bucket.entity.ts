import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A token bucket per tenant and vendor, shared by every worker: the rate limit of that tenant's integration. */
@Entity({ name: 'integration_rate_buckets' })
export class IntegrationRateBucketEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @PrimaryColumn({ type: 'text' })
  vendor!: string;

  @Column({ type: 'double precision' })
  tokens!: number;

  @Column({ name: 'refilled_at', type: 'timestamptz' })
  refilledAt!: Date;
}
