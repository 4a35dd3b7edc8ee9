import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const REFERENT_ROLES = ['foyer_duty', 'child_protection', 'department_duty', 'police', 'prosecutor'] as const;
export type ReferentRole = (typeof REFERENT_ROLES)[number];

/** How a referent is reached. A professional's contact, not a youth's data. */
export type ReferentChannel = { type: 'email'; address: string } | { type: 'sms'; phone: string } | { type: 'webhook'; url: string };
export type ChannelType = ReferentChannel['type'];

@Entity({ name: 'referents' })
export class ReferentEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'display_name', type: 'text' }) displayName: string;
  @Column({ type: 'text' }) role: ReferentRole;
  @Column({ name: 'department_code', type: 'text' }) departmentCode: string;
  @Column({ name: 'foyer_id', type: 'uuid', nullable: true }) foyerId: string | null;
  @Column({ type: 'jsonb' }) channels: ReferentChannel[];
  /** The `whsec_` secret that signs this referent's webhook notifications, encrypted. */
  @Column({ name: 'webhook_secret_enc', type: 'text', nullable: true }) webhookSecretEnc: string | null;
  /** The webhook secret before the last rotation, still signing until `previousWebhookSecretExpiresAt`. */
  @Column({ name: 'previous_webhook_secret_enc', type: 'text', nullable: true }) previousWebhookSecretEnc: string | null;
  @Column({ name: 'previous_webhook_secret_expires_at', type: 'timestamptz', nullable: true }) previousWebhookSecretExpiresAt: Date | null;
  /** The API client through which this referent acknowledges alerts. */
  @Column({ name: 'api_client_id', type: 'uuid', nullable: true }) apiClientId: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true }) deletedAt: Date | null;
}
