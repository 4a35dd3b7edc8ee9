import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Timeline event types. Persisted: never rename a value. */
export const FUGUE_EVENT_TYPES = [
  'declared',
  'classified',
  'updated',
  'sighting',
  'hotline.call',
  'override.set',
  'override.withdrawn',
  'override.superseded',
  'located',
  'returned',
  'closed',
  'cancelled',
  'alert.opened',
  'alert.step',
  'alert.acknowledged',
  'alert.resolved',
  'routine.notified',
  'notification.sent',
  'notification.failed',
  'return.notified',
  'interview.scheduled',
  'interview.reminder',
  'interview.overdue',
  'interview.recorded',
  'interview.disclosure',
  'personal_data.erased',
  'linked',
  'link.indicator',
] as const;
export type FugueEventType = (typeof FUGUE_EVENT_TYPES)[number];

@Entity({ name: 'fugue_events' })
export class FugueEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'fugue_id', type: 'uuid' }) fugueId: string;
  @Column({ type: 'text' }) type: FugueEventType;
  @Column({ type: 'timestamptz' }) at: Date;
  @Column({ name: 'actor_id', type: 'uuid', nullable: true }) actorId: string | null;
  /** Codes, levels and times only: never personal data. */
  @Column({ type: 'jsonb' }) data: Record<string, unknown>;
  /** Free text of the event (a note, a place), encrypted. */
  @Column({ name: 'private_enc', type: 'text', nullable: true }) privateEnc: string | null;
}
