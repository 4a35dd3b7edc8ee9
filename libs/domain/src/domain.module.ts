import { Global, Module } from '@nestjs/common';
import { NotificationsModule } from '@vigie/notifications';
import { QueueModule } from '@vigie/queue';
import { ApiClientService } from './admin/api-client.service';
import { FoyerService } from './admin/foyer.service';
import { AckTokens } from './escalation/ack-token';
import { AlertNewsService } from './escalation/alert-news.service';
import { AlertService } from './escalation/alert.service';
import { EscalationPolicyService } from './escalation/escalation-policy.service';
import { EscalationSweepService } from './escalation/escalation-sweep.service';
import { EscalationService } from './escalation/escalation.service';
import { NotificationAdminService } from './escalation/notification-admin.service';
import { NotificationChannels } from './escalation/notification-channels';
import { NotificationMessages } from './escalation/notification-messages';
import { NotificationSender } from './escalation/notification-sender';
import { ReferentService } from './escalation/referent.service';
import { AutoCloseService } from './fugues/auto-close.service';
import { ConnectionService } from './links/connection.service';
import { FoyerClusterService } from './links/foyer-cluster.service';
import { LinkEffectsService } from './links/link-effects.service';
import { LinkEvaluationService } from './links/link-evaluation.service';
import { LinkReadingService } from './links/link-reading.service';
import { FugueDeclarationService } from './fugues/fugue-declaration.service';
import { FugueReadingService } from './fugues/fugue-reading.service';
import { FugueTransitionService } from './fugues/fugue-transition.service';
import { FugueTriageService } from './fugues/fugue-triage.service';
import { ReviewTimerService } from './fugues/review-timer.service';
import { TriagePreviewService } from './fugues/triage-preview.service';
import { InterviewDeadlineService } from './interviews/interview-deadline.service';
import { ReferentNotifier } from './interviews/referent-notifier';
import { ReturnInterviewService } from './interviews/return-interview.service';
import { MetricsService } from './observability/metrics.service';
import { OutboxRelay } from './outbox/outbox.relay';
import { TimerJobs } from './unit-of-work/timer-jobs';
import { UnitOfWork } from './unit-of-work/unit-of-work';
import { RetentionService } from './retention/retention.service';
import { StatsService } from './stats/stats.service';
import { YouthService } from './youths/youth.service';
import { HotlineInboundService } from './integrations/hotline-inbound.service';
import { WebhookEndpointService } from './webhooks/webhook-endpoint.service';
import { WebhookEventService } from './webhooks/webhook-event.service';
import { WebhookHousekeepingService } from './webhooks/webhook-housekeeping.service';
import { WebhookSender } from './webhooks/webhook-sender';
import { DeliveryEngine } from './delivery/delivery-engine';
import { DeliverySweepService } from './delivery/delivery-sweep.service';
import { EmailLinkService } from './people/email-link.service';
import { OidcSignInService } from './people/oidc-sign-in.service';
import { PersonService } from './people/person.service';
import { SessionService } from './people/session.service';

const SERVICES = [
  AckTokens,
  AlertNewsService,
  AlertService,
  AutoCloseService,
  ConnectionService,
  FoyerClusterService,
  LinkEffectsService,
  LinkEvaluationService,
  LinkReadingService,
  ApiClientService,
  EscalationPolicyService,
  EscalationService,
  EscalationSweepService,
  NotificationAdminService,
  NotificationChannels,
  NotificationMessages,
  NotificationSender,
  DeliveryEngine,
  DeliverySweepService,
  ReferentService,
  FoyerService,
  FugueDeclarationService,
  FugueReadingService,
  FugueTransitionService,
  FugueTriageService,
  InterviewDeadlineService,
  MetricsService,
  OutboxRelay,
  TimerJobs,
  UnitOfWork,
  ReferentNotifier,
  RetentionService,
  ReturnInterviewService,
  ReviewTimerService,
  StatsService,
  TriagePreviewService,
  YouthService,
  HotlineInboundService,
  WebhookEndpointService,
  WebhookEventService,
  WebhookHousekeepingService,
  WebhookSender,
  PersonService,
  SessionService,
  EmailLinkService,
  OidcSignInService,
];

/** What the domain keeps to itself: the parts of its services that no app or test injects. */
const INTERNAL = new Set<unknown>([NotificationChannels, NotificationMessages, NotificationSender, ReferentNotifier, UnitOfWork, WebhookSender]);

/**
 * The use cases both apps share. Persistence and config are global modules imported by the apps.
 * Exported: the services the apps, the test kit and the tests inject, and the queue producer.
 */
@Global()
@Module({ imports: [QueueModule, NotificationsModule], providers: SERVICES, exports: [...SERVICES.filter((s) => !INTERNAL.has(s)), QueueModule] })
export class DomainModule {}
