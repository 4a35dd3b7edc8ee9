import type { Request } from 'express';
import type { Caller } from '@vigie/domain';

/** What Vigie attaches to a request as it goes through the pipeline. */
export interface VigieRequest extends Request {
  correlationId: string;
  caller?: Caller;
}
