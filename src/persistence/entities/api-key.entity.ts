import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type Role = 'admin' | 'author' | 'analyst' | 'viewer' | 'ingest';

/** An API key belongs to one tenant and holds one role there. Only its SHA-256 hash is stored. */
@Entity({ name: 'api_keys' })
@Index('api_keys_tenant_idx', ['tenantId'])
@Index('api_keys_user_idx', ['userId'])
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  role!: Role;

  @Column({ name: 'key_hash', type: 'text', unique: true })
  keyHash!: string;

  /** First characters of the key, so an operator can tell keys apart without seeing them. */
  @Column({ name: 'key_prefix', type: 'text' })
  keyPrefix!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  /** The person this key acts for: actions are then attributed to `user:<id>`. */
  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId!: string | null;

  /** On the provider's tenant (`default`) only: the key may act on any tenant and manage tenants. */
  @Column({ name: 'mssp_operator', type: 'boolean', default: false })
  msspOperator!: boolean;
}
