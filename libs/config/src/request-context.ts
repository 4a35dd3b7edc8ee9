import { AsyncLocalStorage } from 'node:async_hooks';

/** What follows a request through the code it runs: its correlation id, never personal data. */
interface RequestContext {
  correlationId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `next` (the rest of the request's pipeline) with this correlation id in scope. */
export function runWithCorrelationId<T>(correlationId: string, next: () => T): T {
  return storage.run({ correlationId }, next);
}

/**
 * The correlation id of the request being served, if any: written into the outbox rows it asks
 * for, so that the worker's log lines name the request that caused each job.
 */
export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}
