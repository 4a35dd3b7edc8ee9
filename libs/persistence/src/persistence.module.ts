import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { VigieConfig } from '@vigie/config';
import { DataCipher } from './crypto/data-cipher';
import { BlindIndex } from './crypto/blind-index';
import { LinkRepository } from './repositories/link.repository';
import { dataSourceOptions } from './data-source';
import { AlertRepository } from './repositories/alert.repository';
import { ApiClientRepository } from './repositories/api-client.repository';
import { EscalationPolicyRepository } from './repositories/escalation-policy.repository';
import { NotificationRepository } from './repositories/notification.repository';
import { ReferentRepository } from './repositories/referent.repository';
import { RetentionRepository } from './repositories/retention.repository';
import { ReturnInterviewRepository } from './repositories/return-interview.repository';
import { StatsRepository } from './repositories/stats.repository';
import { AuditRepository } from './repositories/audit.repository';
import { FugueEventRepository } from './repositories/fugue-event.repository';
import { FoyerRepository } from './repositories/foyer.repository';
import { FugueRepository } from './repositories/fugue.repository';
import { IdempotencyRepository } from './repositories/idempotency.repository';
import { OutboxRepository } from './repositories/outbox.repository';
import { DepartmentRepository } from './repositories/department.repository';
import { YouthRepository } from './repositories/youth.repository';
import { InboundEventRepository } from './repositories/inbound-event.repository';
import { WebhookDeliveryRepository } from './repositories/webhook-delivery.repository';
import { WebhookEndpointRepository } from './repositories/webhook-endpoint.repository';
import { WebhookEventRepository } from './repositories/webhook-event.repository';
import { AttentionRepository } from './repositories/attention.repository';
import { PeopleRepository } from './repositories/people.repository';

const REPOSITORIES = [
  AlertRepository,
  ApiClientRepository,
  EscalationPolicyRepository,
  NotificationRepository,
  ReferentRepository,
  RetentionRepository,
  ReturnInterviewRepository,
  StatsRepository,
  AuditRepository,
  DepartmentRepository,
  FoyerRepository,
  FugueEventRepository,
  FugueRepository,
  IdempotencyRepository,
  OutboxRepository,
  YouthRepository,
  InboundEventRepository,
  WebhookDeliveryRepository,
  WebhookEndpointRepository,
  WebhookEventRepository,
  AttentionRepository,
  PeopleRepository,
  LinkRepository,
];

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [VigieConfig],
      useFactory: (config: VigieConfig) => ({ ...dataSourceOptions(config.DATABASE_URL), retryAttempts: 3, retryDelay: 1000 }),
    }),
  ],
  providers: [DataCipher, BlindIndex, ...REPOSITORIES],
  exports: [DataCipher, BlindIndex, ...REPOSITORIES],
})
export class PersistenceModule {}
