import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * A tenant's connection to one vendor: where it is, its settings, which of the vendor's actions it
 * may run, and its secrets encrypted with AES-256-GCM under one of the configured keys. Secrets are
 * decrypted only inside activities, never returned by the API.
 */
@Entity({ name: 'integration_connections' })
@Index('integration_connections_vendor_uq', ['tenantId', 'vendor'], { unique: true })
export class IntegrationConnectionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  /** The actions' vendor (`crowdstrike`, `virustotal`, …): one connection per vendor and tenant. */
  @Column({ type: 'text' })
  vendor!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'base_url', type: 'text' })
  baseUrl!: string;

  /** Vendor settings handed to the adapters, plus Vigil's safety settings (rate limit, concurrency, cache TTL). */
  @Column({ type: 'jsonb', default: {} })
  settings!: Record<string, unknown>;

  /** Action keys this connection may run; null means every action of the vendor. */
  @Column({ name: 'enabled_actions', type: 'text', array: true, nullable: true })
  enabledActions!: string[] | null;

  /** Names of the secrets that are set (the values are only in the ciphertext). */
  @Column({ name: 'secret_names', type: 'text', array: true, default: () => "'{}'" })
  secretNames!: string[];

  @Column({ name: 'secrets_ciphertext', type: 'bytea' })
  secretsCiphertext!: Buffer;

  @Column({ name: 'secrets_iv', type: 'bytea' })
  secretsIv!: Buffer;

  @Column({ name: 'secrets_auth_tag', type: 'bytea' })
  secretsAuthTag!: Buffer;

  /** Which configured key encrypted the secrets (rotation re-encrypts under the current one). */
  @Column({ name: 'secrets_key_id', type: 'text' })
  secretsKeyId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
