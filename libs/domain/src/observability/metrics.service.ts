import { Injectable, Logger } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { AttentionRepository, OutboxRepository } from '@vigie/persistence';
import { JobProducer } from '@vigie/queue';
import { Clock } from '../clock/clock';
import { errorSummary } from '../errors/database-errors';

/**
 * Prometheus metrics of the process. Queue depths and outbox lag are read when scraped, so
 * every process reports the shared state; request and triage figures are this process's own.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'vigie_http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'vigie_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly triageLatency = new Histogram({
    name: 'vigie_triage_latency_seconds',
    help: 'From the change that asked for a triage to its stored classification',
    labelNames: ['cause'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly triageBatchSize = new Histogram({
    name: 'vigie_triage_batch_size',
    help: 'Triage jobs taken together, to be stored in one transaction',
    buckets: [1, 2, 4, 8, 16, 32],
    registers: [this.registry],
  });

  readonly classifications = new Counter({
    name: 'vigie_classifications_total',
    help: 'Stored classifications by level',
    labelNames: ['level'] as const,
    registers: [this.registry],
  });

  readonly liveStreams = new Gauge({
    name: 'vigie_live_streams',
    help: 'Live streams (GET /v1/stream) this API process holds open',
    registers: [this.registry],
  });

  private readonly logger = new Logger(MetricsService.name);

  constructor(producer: JobProducer, outbox: OutboxRepository, attention: AttentionRepository, clock: Clock) {
    const logger = this.logger;
    // prom-client's own metrics keep their standard names (process_*, nodejs_*): dashboards and
    // alert rules written for any Node.js service find them.
    collectDefaultMetrics({ register: this.registry });
    // Except prom-client's gauges named like counters (nodejs_active_handles_total…): promtool
    // rejects them, and their per-type twins (nodejs_active_handles{type}) say the same.
    for (const metric of this.registry.getMetricsAsArray()) {
      if (metric.name.endsWith('_total') && metric instanceof Gauge) this.registry.removeSingleMetric(metric.name);
    }
    // Gauges read at scrape time are reset first: a source that fails reports nothing, never
    // the value it had at the last successful scrape.
    new Gauge({
      name: 'vigie_queue_jobs',
      help: 'Jobs per queue and state',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const queue of producer.allQueues()) {
          const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed').catch(() => null);
          if (!counts) continue;
          for (const [state, n] of Object.entries(counts)) this.set({ queue: queue.name, state }, n);
        }
      },
    });
    new Gauge({
      name: 'vigie_outbox_lag_seconds',
      help: 'Age of the oldest outbox row not yet processed',
      registers: [this.registry],
      async collect() {
        // A gauge without labels always has a sample: NaN says the database did not answer.
        const lag = await outbox.lagSeconds().catch(() => null);
        this.set(lag ?? Number.NaN);
      },
    });
    // Deliveries that gave up are logged and listed by the API; these let an alert rule page
    // someone (e.g. `vigie_attention{kind="dead_letter_notifications"} > 0`).
    new Gauge({
      name: 'vigie_attention',
      help:
        'What needs an operator: dead_letter_notifications, failed_webhook_deliveries, disabled_webhook_endpoints, failing_outbox_jobs, ' +
        'overdue_escalation_steps, overdue_notifications, overdue_webhook_deliveries',
      labelNames: ['kind'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const counts = await attention.counts(clock.now()).catch((error: unknown) => {
          logger.warn(`vigie_attention not reported: ${errorSummary(error)}`);
          return null;
        });
        if (!counts) return;
        this.set({ kind: 'dead_letter_notifications' }, counts.deadLetterNotifications);
        this.set({ kind: 'failed_webhook_deliveries' }, counts.failedWebhookDeliveries);
        this.set({ kind: 'disabled_webhook_endpoints' }, counts.disabledWebhookEndpoints);
        this.set({ kind: 'failing_outbox_jobs' }, counts.failingOutboxJobs);
        this.set({ kind: 'overdue_escalation_steps' }, counts.overdueEscalationSteps);
        this.set({ kind: 'overdue_notifications' }, counts.overdueNotifications);
        this.set({ kind: 'overdue_webhook_deliveries' }, counts.overdueWebhookDeliveries);
      },
    });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
