import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The outbound event types (integrations.md § Outbound webhooks).
 * PERSISTED NAMES: stored in webhook_events and in subscribers' filters; never rename one.
 */
export const WEBHOOK_EVENT_TYPES = [
  'fugue.declared',
  'fugue.classified',
  'fugue.located',
  'fugue.returned',
  'fugue.closed',
  'fugue.linked',
  'alert.acknowledged',
  'return_interview.overdue',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** One event, written in the transaction of the change that causes it. Its id is the `webhook-id`. */
@Entity({ name: 'webhook_events' })
export class WebhookEventEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'text' }) type: WebhookEventType;
  @Column({ name: 'occurred_at', type: 'timestamptz' }) occurredAt: Date;
  @Column({ name: 'department_code', type: 'text' }) departmentCode: string;
  /** The episode's level for scoping (hotline endpoints receive worrying episodes only). */
  @Column({ type: 'text', nullable: true }) level: 'routine' | 'worrying' | null;
  /** Thin: ids, codes, levels, statuses and times only. */
  @Column({ type: 'jsonb' }) data: Record<string, unknown>;
  @Column({ name: 'fanned_out_at', type: 'timestamptz', nullable: true }) fannedOutAt: Date | null;
}
