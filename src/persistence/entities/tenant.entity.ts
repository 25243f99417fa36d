import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type TenantStatus = 'active' | 'suspended';

/** A client organisation. Its `id` is the `tenant_id` every other row carries. */
@Entity({ name: 'tenants' })
export class TenantEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Short stable name used in URLs and logs (`default`, `acme`). */
  @Column({ type: 'text', unique: true })
  slug!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', default: 'active' })
  status!: TenantStatus;

  /** Per-tenant settings: correlation window and fingerprint fields, HMAC settings, playbook bindings. */
  @Column({ type: 'jsonb', default: {} })
  settings!: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
