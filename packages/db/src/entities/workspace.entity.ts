import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** The tenant: nothing crosses its boundary. */
@Entity('workspaces')
export class WorkspaceEntity {
  @PrimaryColumn('text')
  id!: string;

  @Column('text')
  name!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
