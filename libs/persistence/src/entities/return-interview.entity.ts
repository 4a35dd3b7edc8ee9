import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** PERSISTED values: never rename one. */
export const INTERVIEW_STATUSES = ['scheduled', 'completed', 'declined', 'not_held'] as const;
export type InterviewStatus = (typeof INTERVIEW_STATUSES)[number];
export type InterviewOutcome = Exclude<InterviewStatus, 'scheduled'>;

/** The free-text answers of an interview, stored encrypted as one document in `answers_enc`. */
export interface InterviewAnswers {
  conductedBy?: string | null;
  whereabouts?: string | null;
  companions?: string | null;
  transport?: string | null;
  resources?: string | null;
  healthNeeds?: string | null;
  youthWishes?: string | null;
  /** Why a `not_held` interview was not held. */
  reason?: string | null;
}

/** One return interview per returned episode (integrations.md § Return interview). */
@Entity({ name: 'return_interviews' })
export class ReturnInterviewEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'fugue_id', type: 'uuid' }) fugueId: string;
  @Column({ name: 'youth_id', type: 'uuid' }) youthId: string;
  @Column({ name: 'department_code', type: 'text' }) departmentCode: string;
  @Column({ name: 'foyer_id', type: 'uuid' }) foyerId: string;
  @Column({ type: 'text' }) status: InterviewStatus;
  @Column({ name: 'returned_at', type: 'timestamptz' }) returnedAt: Date;
  /** returnedAt + 72 h: the deadline the overdue sweep reads. */
  @Column({ name: 'due_at', type: 'timestamptz' }) dueAt: Date;
  /** dueAt − 24 h: when foyer duty is reminded. */
  @Column({ name: 'reminder_due_at', type: 'timestamptz' }) reminderDueAt: Date;
  @Column({ name: 'reminded_at', type: 'timestamptz', nullable: true }) remindedAt: Date | null;
  /** Set once when the interview passes its due time still scheduled; kept after a late record. */
  @Column({ name: 'overdue_at', type: 'timestamptz', nullable: true }) overdueAt: Date | null;
  @Column({ name: 'conducted_at', type: 'timestamptz', nullable: true }) conductedAt: Date | null;
  @Column({ name: 'interviewer_independent', type: 'boolean', nullable: true }) interviewerIndependent: boolean | null;
  @Column({ name: 'push_factors', type: 'text', array: true }) pushFactors: string[];
  @Column({ name: 'pull_factors', type: 'text', array: true }) pullFactors: string[];
  @Column({ name: 'exploitation_indicators', type: 'text', array: true }) exploitationIndicators: string[];
  @Column({ name: 'disclosed_sexual_exploitation', type: 'boolean' }) disclosedSexualExploitation: boolean;
  @Column({ name: 'disclosed_violence', type: 'boolean' }) disclosedViolence: boolean;
  @Column({ name: 'disclosed_sexual_violence', type: 'boolean' }) disclosedSexualViolence: boolean;
  @Column({ name: 'substance_use', type: 'boolean', nullable: true }) substanceUse: boolean | null;
  @Column({ name: 'safety_advice_given', type: 'boolean', nullable: true }) safetyAdviceGiven: boolean | null;
  @Column({ type: 'text', array: true }) referrals: string[];
  /** InterviewAnswers, encrypted: never logged, queued or sent. */
  @Column({ name: 'answers_enc', type: 'text', nullable: true }) answersEnc: string | null;
  @Column({ name: 'recorded_at', type: 'timestamptz', nullable: true }) recordedAt: Date | null;
  /** The API client that recorded the outcome. */
  @Column({ name: 'recorded_by', type: 'uuid', nullable: true }) recordedBy: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
  /** Set when retention erased the free text. */
  @Column({ name: 'erased_at', type: 'timestamptz', nullable: true }) erasedAt: Date | null;
}
