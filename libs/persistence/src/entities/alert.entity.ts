import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { StoredEscalationPolicy } from './escalation-policy.entity';

export const ALERT_STATES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];
/**
 * Why an alert ended without acknowledgement: the episode's end (its new status) or its level
 * brought back to routine. PERSISTED in `alerts.resolution`: never rename one. Every code has
 * words in the messages (message-words.ts).
 */
export const ALERT_RESOLUTIONS = ['located', 'returned', 'closed', 'cancelled', 'level_lowered'] as const;
export type AlertResolution = (typeof ALERT_RESOLUTIONS)[number];

@Entity({ name: 'alerts' })
export class AlertEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'fugue_id', type: 'uuid' }) fugueId: string;
  @Column({ name: 'department_code', type: 'text' }) departmentCode: string;
  @Column({ name: 'foyer_id', type: 'uuid' }) foyerId: string;
  @Column({ type: 'text' }) state: AlertState;
  /** The policy in force when the alert opened: editing the policy never changes a running alert. */
  @Column({ type: 'jsonb' }) policy: StoredEscalationPolicy;
  @Column({ name: 'opened_at', type: 'timestamptz' }) openedAt: Date;
  @Column({ name: 'last_step', type: 'integer', nullable: true }) lastStep: number | null;
  @Column({ name: 'next_step', type: 'integer' }) nextStep: number;
  /** The deadline of the next step: the source of truth for escalation timers. */
  @Column({ name: 'next_step_at', type: 'timestamptz', nullable: true }) nextStepAt: Date | null;
  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true }) acknowledgedAt: Date | null;
  @Column({ name: 'acknowledged_by_referent_id', type: 'uuid', nullable: true }) acknowledgedByReferentId: string | null;
  @Column({ name: 'acknowledged_by_client_id', type: 'uuid', nullable: true }) acknowledgedByClientId: string | null;
  @Column({ name: 'acknowledged_via', type: 'text', nullable: true }) acknowledgedVia: 'api' | 'link' | null;
  @Column({ name: 'acknowledgement_note_enc', type: 'text', nullable: true }) acknowledgementNoteEnc: string | null;
  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true }) resolvedAt: Date | null;
  @Column({ type: 'text', nullable: true }) resolution: AlertResolution | null;
}
