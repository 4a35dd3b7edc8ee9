import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Free text of an update, stored encrypted in `private_enc`. */
export interface FugueUpdatePrivate {
  note?: string | null;
  sightingPlace?: string | null;
  summary?: string | null;
}

@Entity({ name: 'fugue_updates' })
export class FugueUpdateEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'fugue_id', type: 'uuid' }) fugueId: string;
  @Column({ type: 'text' }) source: 'update' | 'hotline';
  @Column({ type: 'text', array: true }) indicators: string[];
  @Column({ name: 'staff_concern_worrying', type: 'boolean', nullable: true }) staffConcernWorrying: boolean | null;
  @Column({ name: 'sighting_at', type: 'timestamptz', nullable: true }) sightingAt: Date | null;
  @Column({ name: 'private_enc', type: 'text', nullable: true }) privateEnc: string | null;
  @Column({ name: 'created_by', type: 'uuid', nullable: true }) createdBy: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
