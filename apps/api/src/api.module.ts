import { HotlineLookupController } from './links/hotline-lookup.controller';
import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerModule } from '@nestjs/throttler';
import { VigieConfig } from '@vigie/config';
import { AdminController } from './admin/admin.controller';
import { AuthController } from './auth/auth.controller';
import { OidcController } from './auth/oidc.controller';
import { SignInOptions } from './auth/sign-in-options';
import { PeopleController } from './people/people.controller';
import { AckLinkController } from './escalation/ack-link.controller';
import { AlertsController } from './escalation/alerts.controller';
import { EscalationPolicyController } from './escalation/escalation-policy.controller';
import { NotificationsController } from './escalation/notifications.controller';
import { ReferentsController } from './escalation/referents.controller';
import { FuguesController } from './fugues/fugues.controller';
import { AuditInterceptor } from './http/audit.interceptor';
import { AuthGuard } from './http/auth.guard';
import { ErrorFilter } from './http/error.filter';
import { IdempotencyInterceptor } from './http/idempotency.interceptor';
import { JsonBodyMiddleware } from './http/json-body.middleware';
import { LocationInterceptor } from './http/location.interceptor';
import { HttpMetricsMiddleware } from './http/metrics.middleware';
import { RateLimitGuard } from './http/rate-limit.guard';
import { RateLimitModule } from './http/rate-limit.module';
import { RateLimitStore } from './http/rate-limit.store';
import { ReturnInterviewsController } from './interviews/return-interviews.controller';
import { HealthController } from './operations/health.controller';
import { ReferenceController } from './reference/reference.controller';
import { StatsController } from './stats/stats.controller';
import { TriageController } from './triage/triage.controller';
import { YouthsController } from './youths/youths.controller';
import { HotlineEventsController } from './integrations/hotline-events.controller';
import { HotlineReportsController } from './integrations/hotline-reports.controller';
import { LiveEventHub } from './stream/live-event.hub';
import { StreamController } from './stream/stream.controller';
import { WebhookDeliveriesController } from './webhooks/webhook-deliveries.controller';
import { WebhookEndpointsController } from './webhooks/webhook-endpoints.controller';

/**
 * The HTTP API. Config, persistence, queue and domain are provided by the process module that
 * imports this one (see main.ts), so that API and worker can share one process.
 */
@Module({
  imports: [
    TerminusModule.forRoot({ logger: false }),
    RateLimitModule,
    ThrottlerModule.forRootAsync({
      imports: [RateLimitModule],
      inject: [VigieConfig, RateLimitStore],
      useFactory: (config: VigieConfig, storage: RateLimitStore) => ({ throttlers: [{ name: 'default', ttl: 60_000, limit: config.VIGIE_RATE_LIMIT_PER_MINUTE }], storage }),
    }),
  ],
  controllers: [ReferenceController, AdminController, YouthsController, FuguesController, TriageController, HealthController, ReferentsController, EscalationPolicyController, AlertsController, NotificationsController, AckLinkController, ReturnInterviewsController, StatsController, WebhookEndpointsController, WebhookDeliveriesController, HotlineEventsController, HotlineReportsController, HotlineLookupController, PeopleController, AuthController, OidcController, StreamController],
  providers: [
    SignInOptions,
    LiveEventHub,
    // Order matters: authenticate first (failed attempts are throttled per address inside the
    // guard, before the lookup), so the rate limit counts per API key.
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_INTERCEPTOR, useClass: LocationInterceptor },
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
    { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
    { provide: APP_FILTER, useClass: ErrorFilter },
  ],
})
export class ApiModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware, JsonBodyMiddleware).forRoutes('*path');
  }
}
