import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from './api-key.entity.js';

/** A person with a role in one tenant. API keys may belong to a user, so what they do is attributed to `user:<id>`. */
@Entity({ name: 'users' })
@Index('users_tenant_idx', ['tenantId', 'createdAt'])
// One active user per e-mail address in a tenant (case-insensitive, removed users excluded); the migration owns it.
@Index('users_tenant_email_uq', { synchronize: false })
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  email!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  role!: Role;

  /** On the provider's tenant (`default`) only: may act on any tenant and manage tenants. */
  @Column({ name: 'mssp_operator', type: 'boolean', default: false })
  msspOperator!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** Users are removed, not deleted: the timeline and the audit log keep naming them. */
  @Column({ name: 'removed_at', type: 'timestamptz', nullable: true })
  removedAt!: Date | null;
}
