import type { Request } from 'express';
import type { Caller } from '@vigie/domain';
import type { Person } from '@vigie/persistence';

/** What Vigie attaches to a request as it goes through the pipeline. */
export interface VigieRequest extends Request {
  /** The server's own id of this request: in every log line, error body and audit entry. */
  correlationId: string;
  /** The client's X-Correlation-Id when it is a UUID, recorded beside correlationId in the audit log. */
  clientCorrelationId?: string;
  caller?: Caller;
  /** When the caller is a person signed in with the session cookie: the person and the session's CSRF token. */
  personSession?: { person: Person; csrfToken: string };
  /** The exact bytes of a JSON body, for signature checks (the inbound hotline webhook). */
  rawBody?: Buffer;
  /** The verified webhook-id of an inbound hotline event. */
  inboundWebhookId?: string;
}
