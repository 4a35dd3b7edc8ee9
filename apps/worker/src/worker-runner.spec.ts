import { JobName, QueueName } from '@vigie/queue';
import type { QueueProcessor } from './processors/queue-processor';
import { checkHandlers } from './worker-runner';

const processor = (queue: QueueProcessor['queue'], handles: QueueProcessor['handles']): QueueProcessor => ({ queue, handles, process: async () => undefined });

describe('the worker start-up check', () => {
  const triage = processor(QueueName.Triage, [JobName.FugueTriage]);
  const escalation = processor(QueueName.Escalation, [JobName.AlertStep, JobName.NotificationSend]);
  const webhooks = processor(QueueName.Webhooks, [JobName.WebhookDeliver]);

  it('accepts exactly one handler per job name on its queue', () => {
    expect(() => checkHandlers([triage, escalation, webhooks])).not.toThrow();
  });

  it('refuses a job name without a handler, or with two', () => {
    expect(() => checkHandlers([escalation, webhooks])).toThrow(/fugue.triage must have exactly one handler, found 0/);
    expect(() => checkHandlers([triage, escalation, webhooks, processor(QueueName.Triage, [JobName.FugueTriage])])).toThrow(/found 2/);
  });

  it('refuses a handler on the wrong queue', () => {
    expect(() => checkHandlers([triage, webhooks, processor(QueueName.Triage, [JobName.AlertStep, JobName.NotificationSend])])).toThrow(/handled on queue triage, not escalation/);
  });
});
