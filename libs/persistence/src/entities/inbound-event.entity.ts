import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An inbound event already accepted from a hotline client, kept to recognise its replays. */
@Entity({ name: 'inbound_events' })
export class InboundEventEntity {
  @PrimaryColumn({ name: 'client_id', type: 'uuid' }) clientId: string;
  @PrimaryColumn({ name: 'webhook_id', type: 'text' }) webhookId: string;
  @Column({ type: 'text' }) type: string;
  @Column({ name: 'received_at', type: 'timestamptz' }) receivedAt: Date;
}
