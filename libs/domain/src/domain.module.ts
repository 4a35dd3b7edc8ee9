import { Global, Module } from '@nestjs/common';
import { QueueModule } from '@vigie/queue';
import { ApiClientService } from './admin/api-client.service';
import { FoyerService } from './admin/foyer.service';
import { FugueDeclarationService } from './fugues/fugue-declaration.service';
import { FugueReadingService } from './fugues/fugue-reading.service';
import { FugueTransitionService } from './fugues/fugue-transitions.service';
import { FugueTriageService } from './fugues/fugue-triage.service';
import { ReviewTimerService } from './fugues/review-timer.service';
import { TriagePreviewService } from './fugues/triage-preview.service';
import { MetricsService } from './observability/metrics.service';
import { OutboxRelay } from './outbox/outbox.relay';
import { YouthService } from './youths/youth.service';

const SERVICES = [
  ApiClientService,
  FoyerService,
  FugueDeclarationService,
  FugueReadingService,
  FugueTransitionService,
  FugueTriageService,
  MetricsService,
  OutboxRelay,
  ReviewTimerService,
  TriagePreviewService,
  YouthService,
];

/** The use cases both apps share. Persistence and config are global modules imported by the apps. */
@Global()
@Module({ imports: [QueueModule], providers: SERVICES, exports: [...SERVICES, QueueModule] })
export class DomainModule {}
