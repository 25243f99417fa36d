import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** An analyst's note on a case. */
@Entity({ name: 'case_comments' })
@Index('case_comments_case_idx', ['tenantId', 'caseId', 'createdAt'])
export class CaseCommentEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  /** `api-key:<id>` or `user:<id>`. */
  @Column({ type: 'text' })
  author!: string;

  @Column({ type: 'text' })
  body!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
