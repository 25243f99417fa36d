import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type ProtectedAssetKind = 'host' | 'user' | 'ip' | 'domain';

/** An asset containment must never touch without an explicit override approval (a domain controller, the CEO's account). */
@Entity({ name: 'protected_assets' })
@Index('protected_assets_pattern_uq', ['tenantId', 'kind', 'pattern'], { unique: true })
export class ProtectedAssetEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  kind!: ProtectedAssetKind;

  /** An exact value (case-insensitive), a `*` wildcard pattern, or for `ip` a CIDR network. */
  @Column({ type: 'text' })
  pattern!: string;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
