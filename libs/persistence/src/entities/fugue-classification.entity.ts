import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { StoredLevel as Level, StoredReason as Reason } from './stored-classification';

@Entity({ name: 'fugue_classifications' })
export class FugueClassificationEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'fugue_id', type: 'uuid' }) fugueId: string;
  /** What asked for this triage (an outbox row); unique per episode, so a replay stores nothing. */
  @Column({ name: 'trigger_key', type: 'text' }) triggerKey: string;
  @Column({ type: 'text' }) cause: string;
  @Column({ name: 'ruleset_version', type: 'text' }) rulesetVersion: string;
  @Column({ name: 'evaluated_at', type: 'timestamptz' }) evaluatedAt: Date;
  @Column({ type: 'text' }) level: Level;
  @Column({ type: 'integer' }) score: number;
  @Column({ type: 'jsonb' }) reasons: Reason[];
  @Column({ name: 'next_review_at', type: 'timestamptz', nullable: true }) nextReviewAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
