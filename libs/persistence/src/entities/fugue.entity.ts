import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { StoredClassification as Classification, StoredLevel as Level } from './stored-classification';

export const FUGUE_STATUSES = ['missing', 'located', 'returned', 'closed', 'cancelled'] as const;
export type FugueStatus = (typeof FUGUE_STATUSES)[number];

export interface Belongings {
  phone?: boolean | null;
  money?: boolean | null;
  idDocument?: boolean | null;
}

/** Free-text details of the declaration, stored encrypted in `details_enc`. */
export interface FugueDetails {
  lastSeenPlace?: string | null;
  clothing?: string | null;
  circumstances?: string | null;
  vehicle?: string | null;
  staffConcernNote?: string | null;
  policeReport?: { service?: string | null; reference?: string | null } | null;
}

@Entity({ name: 'fugues' })
export class FugueEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'youth_id', type: 'uuid' }) youthId: string;
  @Column({ name: 'foyer_id', type: 'uuid' }) foyerId: string;
  @Column({ name: 'department_code', type: 'text' }) departmentCode: string;
  @Column({ type: 'text' }) status: FugueStatus;
  @Column({ name: 'noticed_missing_at', type: 'timestamptz' }) noticedMissingAt: Date;
  @Column({ name: 'last_seen_at', type: 'timestamptz', nullable: true }) lastSeenAt: Date | null;
  @Column({ name: 'departed_with', type: 'text', nullable: true }) departedWith: string | null;
  @Column({ type: 'jsonb', nullable: true }) belongings: Belongings | null;
  @Column({ type: 'text', array: true }) indicators: string[];
  /** Indicators a link to another episode added (PEER_EXPLOITED, source `link`): kept until an override. */
  @Column({ name: 'link_indicators', type: 'text', array: true, default: () => `'{}'` }) linkIndicators: string[];
  @Column({ name: 'staff_concern_worrying', type: 'boolean', nullable: true }) staffConcernWorrying: boolean | null;
  @Column({ name: 'details_enc', type: 'text', nullable: true }) detailsEnc: string | null;
  @Column({ name: 'located_at', type: 'timestamptz', nullable: true }) locatedAt: Date | null;
  @Column({ name: 'located_enc', type: 'text', nullable: true }) locatedEnc: string | null;
  @Column({ name: 'returned_at', type: 'timestamptz', nullable: true }) returnedAt: Date | null;
  @Column({ name: 'found_by', type: 'text', nullable: true }) foundBy: string | null;
  @Column({ name: 'return_enc', type: 'text', nullable: true }) returnEnc: string | null;
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true }) endedAt: Date | null;
  @Column({ name: 'end_reason_enc', type: 'text', nullable: true }) endReasonEnc: string | null;
  /** The latest computed classification (the full history is in fugue_classifications). */
  @Column({ type: 'jsonb', nullable: true }) classification: Classification | null;
  @Column({ name: 'next_review_at', type: 'timestamptz', nullable: true }) nextReviewAt: Date | null;
  @Column({ name: 'override_level', type: 'text', nullable: true }) overrideLevel: Level | null;
  @Column({ name: 'override_by', type: 'uuid', nullable: true }) overrideBy: string | null;
  @Column({ name: 'override_at', type: 'timestamptz', nullable: true }) overrideAt: Date | null;
  @Column({ name: 'override_reason_enc', type: 'text', nullable: true }) overrideReasonEnc: string | null;
  /** The reason codes of the computed classification when the override was set. */
  @Column({ name: 'override_basis', type: 'text', array: true, nullable: true }) overrideBasis: string[] | null;
  /** The override when one stands, else the computed level; what lists filter on. */
  @Column({ name: 'effective_level', type: 'text', nullable: true }) effectiveLevel: Level | null;
  @Column({ name: 'created_by', type: 'uuid', nullable: true }) createdBy: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
  /** The youth's age band at this episode, kept by retention when it erases the birth date (statistics). */
  @Column({ name: 'age_band', type: 'text', nullable: true }) ageBand: string | null;
  @Column({ name: 'erased_at', type: 'timestamptz', nullable: true }) erasedAt: Date | null;
}
