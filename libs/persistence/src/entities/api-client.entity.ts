import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const ROLES = ['admin', 'foyer', 'police', 'child_protection', 'hotline'] as const;
export type Role = (typeof ROLES)[number];

@Entity({ name: 'api_clients' })
export class ApiClientEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text' }) role: Role;
  /** SHA-256 of the key, hex. The key itself is never stored. */
  @Column({ name: 'key_hash', type: 'text' }) keyHash: string;
  @Column({ name: 'key_prefix', type: 'text' }) keyPrefix: string;
  @Column({ name: 'foyer_ids', type: 'uuid', array: true }) foyerIds: string[];
  @Column({ name: 'department_codes', type: 'text', array: true }) departmentCodes: string[];
  @Column({ name: 'inbound_webhook_secret_enc', type: 'text', nullable: true }) inboundWebhookSecretEnc: string | null;
  /** The inbound secret before the last rotation, accepted until `previousInboundWebhookSecretExpiresAt`. */
  @Column({ name: 'previous_inbound_webhook_secret_enc', type: 'text', nullable: true }) previousInboundWebhookSecretEnc: string | null;
  @Column({ name: 'previous_inbound_webhook_secret_expires_at', type: 'timestamptz', nullable: true }) previousInboundWebhookSecretExpiresAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true }) revokedAt: Date | null;
}
