import type { Request } from 'express';
import type { Caller } from '@vigie/domain';

/** What Vigie attaches to a request as it goes through the pipeline. */
export interface VigieRequest extends Request {
  correlationId: string;
  caller?: Caller;
  /** The exact bytes of a JSON body, for signature checks (the inbound hotline webhook). */
  rawBody?: Buffer;
  /** The verified webhook-id of an inbound hotline event. */
  inboundWebhookId?: string;
}
