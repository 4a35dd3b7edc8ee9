import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'idempotency_keys' })
export class IdempotencyKeyEntity {
  @PrimaryColumn({ name: 'client_id', type: 'uuid' }) clientId: string;
  @PrimaryColumn({ type: 'text' }) key: string;
  @Column({ name: 'request_hash', type: 'text' }) requestHash: string;
  @Column({ name: 'status_code', type: 'integer', nullable: true }) statusCode: number | null;
  /** The first response, encrypted (it may carry identity). */
  @Column({ name: 'response_enc', type: 'text', nullable: true }) responseEnc: string | null;
  /** The request holding the key; the work commits only while it still holds it. */
  @Column({ name: 'lease_token', type: 'uuid', nullable: true }) leaseToken: string | null;
  /** Until then no other request may take the key over. */
  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true }) leaseUntil: Date | null;
  /** Set in the work's own transaction: the request's effects are committed. */
  @Column({ name: 'committed_at', type: 'timestamptz', nullable: true }) committedAt: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
