import { JobName, QueueName } from '@vigie/queue';
import type { QueueProcessor } from './processors/queue-processor';
import { checkHandlers } from './worker-runner';

const processor = (queue: QueueProcessor['queue'], handles: QueueProcessor['handles']): QueueProcessor => ({ queue, handles, process: async () => undefined });

describe('the worker start-up check', () => {
  it('accepts exactly one handler per job name on its queue', () => {
    expect(() => checkHandlers([processor(QueueName.Triage, [JobName.FugueTriage])])).not.toThrow();
  });

  it('refuses a job name without a handler, or with two', () => {
    expect(() => checkHandlers([])).toThrow(/fugue.triage must have exactly one handler, found 0/);
    expect(() => checkHandlers([processor(QueueName.Triage, [JobName.FugueTriage]), processor(QueueName.Triage, [JobName.FugueTriage])])).toThrow(/found 2/);
  });
});
