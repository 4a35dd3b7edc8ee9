import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'idempotency_keys' })
export class IdempotencyKeyEntity {
  @PrimaryColumn({ name: 'client_id', type: 'uuid' }) clientId: string;
  @PrimaryColumn({ type: 'text' }) key: string;
  @Column({ name: 'request_hash', type: 'text' }) requestHash: string;
  @Column({ name: 'status_code', type: 'integer', nullable: true }) statusCode: number | null;
  /** The first response, encrypted (it may carry identity). */
  @Column({ name: 'response_enc', type: 'text', nullable: true }) responseEnc: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
