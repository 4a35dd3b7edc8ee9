import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** `erase`: the retention job erased personal data (method JOB, route retention). */
export type AuditAction = 'read_identity' | 'change' | 'erase';

/** Append-only (a database trigger refuses UPDATE and DELETE). */
@Entity({ name: 'audit_log' })
export class AuditEntryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ type: 'timestamptz' }) at: Date;
  @Column({ name: 'client_id', type: 'uuid', nullable: true }) clientId: string | null;
  /** The person who acted through a session; null for an API key or a job. */
  @Column({ name: 'person_id', type: 'uuid', nullable: true }) personId: string | null;
  @Column({ type: 'text' }) action: AuditAction;
  @Column({ type: 'text' }) method: string;
  @Column({ type: 'text' }) route: string;
  @Column({ name: 'status_code', type: 'integer' }) statusCode: number;
  @Column({ name: 'youth_id', type: 'uuid', nullable: true }) youthId: string | null;
  @Column({ name: 'fugue_id', type: 'uuid', nullable: true }) fugueId: string | null;
  /** The server's own id of the request (also in its log line and X-Correlation-Id response header). */
  @Column({ name: 'correlation_id', type: 'text' }) correlationId: string;
  /** The UUID the client sent as X-Correlation-Id, if any: kept beside the server's id, never instead of it. */
  @Column({ name: 'client_correlation_id', type: 'uuid', nullable: true }) clientCorrelationId: string | null;
}
