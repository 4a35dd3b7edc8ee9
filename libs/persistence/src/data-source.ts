import { DataSource, DataSourceOptions } from 'typeorm';
import { join } from 'node:path';
import { AlertEntity } from './entities/alert.entity';
import { ApiClientEntity } from './entities/api-client.entity';
import { EscalationPolicyEntity } from './entities/escalation-policy.entity';
import { NotificationEntity } from './entities/notification.entity';
import { ReferentEntity } from './entities/referent.entity';
import { ReturnInterviewEntity } from './entities/return-interview.entity';
import { AuditEntryEntity } from './entities/audit-entry.entity';
import { DepartmentEntity } from './entities/department.entity';
import { FoyerEntity } from './entities/foyer.entity';
import { FugueClassificationEntity } from './entities/fugue-classification.entity';
import { FugueEventEntity } from './entities/fugue-event.entity';
import { FugueUpdateEntity } from './entities/fugue-update.entity';
import { FugueEntity } from './entities/fugue.entity';
import { IdempotencyKeyEntity } from './entities/idempotency-key.entity';
import { OutboxEntity } from './entities/outbox.entity';
import { YouthEntity } from './entities/youth.entity';
import { InboundEventEntity } from './entities/inbound-event.entity';
import { WebhookAttemptEntity, WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import { WebhookEndpointEntity } from './entities/webhook-endpoint.entity';
import { WebhookEventEntity } from './entities/webhook-event.entity';
import { IdempotencyCommitSubscriber } from './repositories/idempotency-scope';

export const ENTITIES = [
  AlertEntity,
  ApiClientEntity,
  EscalationPolicyEntity,
  NotificationEntity,
  ReferentEntity,
  ReturnInterviewEntity,
  AuditEntryEntity,
  DepartmentEntity,
  FoyerEntity,
  FugueClassificationEntity,
  FugueEventEntity,
  FugueUpdateEntity,
  FugueEntity,
  IdempotencyKeyEntity,
  OutboxEntity,
  YouthEntity,
  InboundEventEntity,
  WebhookAttemptEntity,
  WebhookDeliveryEntity,
  WebhookEndpointEntity,
  WebhookEventEntity,
];

/** Migrations are found next to this file's build output as well as in the sources. */
const MIGRATIONS = [join(__dirname, '..', '..', '..', 'migrations', '*.{ts,js}')].map((p) =>
  __filename.endsWith('.js') ? p.replace('{ts,js}', 'js') : p.replace('{ts,js}', 'ts'),
);

/**
 * The one data-source definition, used by the apps, the migration runner and the tests.
 * Schema changes happen through migrations only, never `synchronize`.
 */
export function dataSourceOptions(databaseUrl: string, overrides: Partial<DataSourceOptions> = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    // Marks a request's Idempotency-Key in the transaction of its work.
    subscribers: [IdempotencyCommitSubscriber],
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: false,
    extra: {
      max: 20,
      // Fail fast when PostgreSQL is down instead of holding requests.
      connectionTimeoutMillis: 2000,
      statement_timeout: 15000,
      idle_in_transaction_session_timeout: 30000,
    },
    ...overrides,
  } as DataSourceOptions;
}
