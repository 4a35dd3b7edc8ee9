import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const WEBHOOK_ENDPOINT_STATUSES = ['active', 'disabled'] as const;
export type WebhookEndpointStatus = (typeof WEBHOOK_ENDPOINT_STATUSES)[number];

/** A subscriber's URL and the event types it receives, signed with its own `whsec_` secret. */
@Entity({ name: 'webhook_endpoints' })
export class WebhookEndpointEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'text' }) url: string;
  @Column({ type: 'text', array: true }) events: string[];
  @Column({ type: 'text', nullable: true }) description: string | null;
  /** The `whsec_` secret, encrypted with the data key. */
  @Column({ name: 'secret_enc', type: 'text' }) secretEnc: string;
  /** The secret before the last rotation, still used to sign (beside the new one) until it expires. */
  @Column({ name: 'previous_secret_enc', type: 'text', nullable: true }) previousSecretEnc: string | null;
  @Column({ name: 'previous_secret_expires_at', type: 'timestamptz', nullable: true }) previousSecretExpiresAt: Date | null;
  /** The API client that created the endpoint; a hotline client manages only its own. */
  @Column({ name: 'owner_client_id', type: 'uuid' }) ownerClientId: string;
  /** Only events of these départements (null: all). Set from a hotline owner's scope. */
  @Column({ name: 'department_codes', type: 'text', array: true, nullable: true }) departmentCodes: string[] | null;
  /** Only events of worrying episodes (a hotline owner's endpoints). */
  @Column({ name: 'worrying_only', type: 'boolean' }) worryingOnly: boolean;
  @Column({ type: 'text' }) status: WebhookEndpointStatus;
  @Column({ name: 'disabled_reason', type: 'text', nullable: true }) disabledReason: string | null;
  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true }) disabledAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true }) deletedAt: Date | null;
}
