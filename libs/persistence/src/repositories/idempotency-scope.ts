import { AsyncLocalStorage } from 'node:async_hooks';
import { EntitySubscriberInterface, EventSubscriber, TransactionCommitEvent } from 'typeorm';
import { rowsOf } from './raw-rows';

/** The idempotency key a request holds while its handler runs. */
export interface IdempotencyClaim {
  clientId: string;
  key: string;
  leaseToken: string;
  /** The work's transaction marked the key: the request's effects are committed. */
  committed: boolean;
  /** False once the handler has returned: later transactions (audit, timers) are not the work. */
  open: boolean;
}

/** The work's transaction found its key taken over by a retry (its lease expired): it rolls back. */
export class IdempotencyLeaseLostError extends Error {
  constructor() {
    super('The Idempotency-Key was taken over by a retry after its lease expired');
  }
}

const claims = new AsyncLocalStorage<IdempotencyClaim>();

export const IdempotencyScope = {
  run<T>(claim: IdempotencyClaim, work: () => T): T {
    return claims.run(claim, work);
  },
  current(): IdempotencyClaim | undefined {
    const claim = claims.getStore();
    return claim?.open && !claim.committed ? claim : undefined;
  },
};

/**
 * Marks the held idempotency key as committed inside the transaction of the request's work, just
 * before its COMMIT, and only while the request still holds the lease: the mark and the work
 * commit together or not at all. A request whose lease was taken over rolls its work back.
 */
@EventSubscriber()
export class IdempotencyCommitSubscriber implements EntitySubscriberInterface {
  async beforeTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    const claim = IdempotencyScope.current();
    if (!claim) return;
    const marked = rowsOf<unknown>(
      await event.queryRunner.query(
        `UPDATE idempotency_keys SET committed_at = coalesce(committed_at, now())
         WHERE client_id = $1 AND key = $2 AND lease_token = $3 RETURNING key`,
        [claim.clientId, claim.key, claim.leaseToken],
      ),
    );
    if (marked.length === 0) throw new IdempotencyLeaseLostError();
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const claim = IdempotencyScope.current();
    // A released savepoint is not a commit: the outer transaction may still roll back.
    if (claim && !event.queryRunner.isTransactionActive) claim.committed = true;
  }
}
