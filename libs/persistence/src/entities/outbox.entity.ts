import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'outbox' })
export class OutboxEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'job_name', type: 'text' }) jobName: string;
  /** Ids only, as the queue contracts say. */
  @Column({ type: 'jsonb' }) payload: Record<string, unknown>;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'published_at', type: 'timestamptz', nullable: true }) publishedAt: Date | null;
  @Column({ name: 'publish_count', type: 'integer' }) publishCount: number;
  /** Set by the consumer in the same transaction as the job's effect. */
  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true }) processedAt: Date | null;
  /** Failed attempts of the row's job, across republications; the row is failing from REPEATED_FAILURES on. */
  @Column({ type: 'integer' }) failures: number;
  @Column({ name: 'last_failed_at', type: 'timestamptz', nullable: true }) lastFailedAt: Date | null;
}
