import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { VigieConfig } from '@vigie/config';
import { DataCipher } from './crypto/data-cipher';
import { dataSourceOptions } from './data-source';
import { AlertRepository } from './repositories/alert.repository';
import { ApiClientRepository } from './repositories/api-client.repository';
import { EscalationPolicyRepository } from './repositories/escalation-policy.repository';
import { NotificationRepository } from './repositories/notification.repository';
import { ReferentRepository } from './repositories/referent.repository';
import { AuditRepository } from './repositories/audit.repository';
import { FugueEventRepository } from './repositories/event.repository';
import { FoyerRepository } from './repositories/foyer.repository';
import { FugueRepository } from './repositories/fugue.repository';
import { IdempotencyRepository } from './repositories/idempotency.repository';
import { OutboxRepository } from './repositories/outbox.repository';
import { DepartmentRepository } from './repositories/reference.repository';
import { YouthRepository } from './repositories/youth.repository';

const REPOSITORIES = [
  AlertRepository,
  ApiClientRepository,
  EscalationPolicyRepository,
  NotificationRepository,
  ReferentRepository,
  AuditRepository,
  DepartmentRepository,
  FoyerRepository,
  FugueEventRepository,
  FugueRepository,
  IdempotencyRepository,
  OutboxRepository,
  YouthRepository,
];

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [VigieConfig],
      useFactory: (config: VigieConfig) => ({ ...dataSourceOptions(config.DATABASE_URL), retryAttempts: 3, retryDelay: 1000 }),
    }),
  ],
  providers: [DataCipher, ...REPOSITORIES],
  exports: [DataCipher, ...REPOSITORIES],
})
export class PersistenceModule {}
