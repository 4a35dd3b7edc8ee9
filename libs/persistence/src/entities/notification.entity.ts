import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { ChannelType } from './referent.entity';

/** PERSISTED (a CHECK constraint lists them): never rename one. */
export const NOTIFICATION_KINDS = [
  'alert.notification',
  'alert.resolved',
  'alert.news',
  'routine.information',
  'fugue.returned',
  'interview.reminder',
  'interview.overdue',
  'interview.disclosure',
  'foyer.cluster',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
export const NOTIFICATION_STATUSES = ['pending', 'sending', 'sent', 'failed', 'cancelled'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/** A fact of an `alert.news` notification: its type (message-words.ts) and when it happened. */
export interface NotificationFact {
  type: string;
  at: string;
}

/**
 * One message to one referent on one channel; sent at most once (`dedup_key` is unique). Alert
 * kinds carry their alert; the others (routine, return, interviews) only their episode.
 */
@Entity({ name: 'notifications' })
export class NotificationEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'dedup_key', type: 'text' }) dedupKey: string;
  @Column({ type: 'text' }) kind: NotificationKind;
  @Column({ name: 'alert_id', type: 'uuid', nullable: true }) alertId: string | null;
  @Column({ name: 'fugue_id', type: 'uuid' }) fugueId: string;
  @Column({ type: 'integer', nullable: true }) step: number | null;
  @Column({ name: 'referent_id', type: 'uuid' }) referentId: string;
  @Column({ type: 'text' }) channel: ChannelType;
  /** The address, phone number or URL at the time the notification was created. */
  @Column({ type: 'text' }) target: string;
  /** True when the step's roles reached nobody and department_duty was notified instead. */
  @Column({ type: 'boolean' }) fallback: boolean;
  /** `alert.news` only: the facts the message folds, appended while it is pending (type and time, never free text). */
  @Column({ type: 'jsonb', nullable: true }) facts: NotificationFact[] | null;
  @Column({ type: 'text' }) status: NotificationStatus;
  @Column({ type: 'integer' }) attempts: number;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError: string | null;
  @Column({ name: 'next_attempt_at', type: 'timestamptz' }) nextAttemptAt: Date;
  /** Failed attempts are retried until this time, then the notification fails into the dead-letter list. */
  @Column({ name: 'retry_until', type: 'timestamptz' }) retryUntil: Date;
  @Column({ name: 'sending_since', type: 'timestamptz', nullable: true }) sendingSince: Date | null;
  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true }) sentAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
