import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { RotaLayer, RotaOverride } from '../../sla/rota.js';

/** Who answers pages for a tenant (or, on the provider's tenant, the MSSP's own SOC): layers of users and overrides. */
@Entity({ name: 'oncall_rotas' })
@Index('oncall_rotas_name_uq', ['tenantId', 'name'], { unique: true })
export class OncallRotaEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'time_zone', type: 'text' })
  timeZone!: string;

  /** Layers in order; the last that covers an instant answers. Members are user ids of the rota's tenant. */
  @Column({ type: 'jsonb' })
  layers!: RotaLayer[];

  @Column({ type: 'jsonb', default: [] })
  overrides!: RotaOverride[];

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
