import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Playbook } from '../../../workflows/language/playbook.types.js';

/**
 * One stored version of a tenant's own playbook. Versions are never changed once written: a case pins
 * the hash, and the outbox relay reads the exact content back by it. At most one version per
 * tenant and playbook id is active (a partial unique index the migration owns).
 */
@Entity({ name: 'playbook_versions' })
@Index('playbook_versions_version_uq', ['tenantId', 'playbookId', 'version'], { unique: true })
@Index('playbook_versions_hash_uq', ['tenantId', 'hash'], { unique: true })
// Unique (tenant_id, playbook_id) WHERE active: TypeORM cannot compare a partial index's predicate, so the migration owns it.
@Index('playbook_versions_active_uq', { synchronize: false })
export class PlaybookVersionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'playbook_id', type: 'text' })
  playbookId!: string;

  @Column({ type: 'text' })
  version!: string;

  /** SHA-256 of the playbook's canonical JSON: the pin a case keeps. */
  @Column({ type: 'text' })
  hash!: string;

  /** The YAML exactly as the author sent it (or as CACAO import produced it). */
  @Column({ type: 'text' })
  source!: string;

  /** The validated playbook, as the interpreter runs it. */
  @Column({ type: 'jsonb' })
  content!: Playbook;

  @Column({ type: 'boolean', default: false })
  active!: boolean;

  /** `api-key:<id>` or `user:<id>`. */
  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
