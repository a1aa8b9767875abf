import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ApiKeyEntity } from './api-key.entity';

/**
 * One secret version of a key. Rotation adds a row and gives the previous one an
 * expiry (its grace deadline); the key id never changes.
 */
@Entity('key_secrets')
export class KeySecretEntity {
  @PrimaryColumn('text')
  id!: string;

  @Column('text', { name: 'key_id' })
  keyId!: string;

  @ManyToOne(() => ApiKeyEntity, (key) => key.secrets, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'key_id' })
  key?: ApiKeyEntity;

  /** HMAC-SHA256(pepper, key): the only trace of the key that is stored. */
  @Column('bytea')
  hash!: Buffer;

  @Column('text')
  prefix!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** Null while current; set to the grace deadline when superseded. */
  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt!: Date | null;
}
