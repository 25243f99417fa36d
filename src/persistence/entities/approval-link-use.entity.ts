import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A signed approval link that has been used: links are one-time, and the primary key makes a second use fail. */
@Entity({ name: 'approval_link_uses' })
@Index('approval_link_uses_approval_idx', ['tenantId', 'approvalId'])
export class ApprovalLinkUseEntity {
  /** SHA-256 (hex) of the token. */
  @PrimaryColumn({ name: 'token_hash', type: 'text' })
  tokenHash!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'approval_id', type: 'uuid' })
  approvalId!: string;

  /** The approver the link was made for. */
  @Column({ type: 'text' })
  approver!: string;

  @Column({ type: 'text' })
  decision!: string;

  @Column({ name: 'used_at', type: 'timestamptz', default: () => 'now()' })
  usedAt!: Date;
}
