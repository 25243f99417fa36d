import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Enrichment results per tenant, action and canonical input, kept until `expires_at`: an alert storm about one IP costs one lookup. */
@Entity({ name: 'enrichment_cache' })
@Index('enrichment_cache_expires_idx', ['expiresAt'])
export class EnrichmentCacheEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @PrimaryColumn({ type: 'text' })
  action!: string;

  /** SHA-256 of the validated input as canonical JSON. */
  @PrimaryColumn({ name: 'input_hash', type: 'text' })
  inputHash!: string;

  /** Null while the first lookup is in flight (see `pending_until`). */
  @Column({ type: 'jsonb', nullable: true })
  output!: unknown;

  /** Set while one worker looks the value up; the others wait for it rather than calling the vendor too. */
  @Column({ name: 'pending_until', type: 'timestamptz', nullable: true })
  pendingUntil!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
