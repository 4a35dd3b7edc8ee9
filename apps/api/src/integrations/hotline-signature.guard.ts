import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { HotlineInboundService } from '@vigie/domain';
import type { VigieRequest } from '../http/request-context';

/**
 * Authenticates an inbound hotline event by its Standard Webhooks signature over the raw body
 * (kept by the JSON middleware), before the body is validated: a bad signature is a 401 whatever
 * the body. The signer becomes the request's caller.
 */
@Injectable()
export class HotlineSignatureGuard implements CanActivate {
  constructor(private readonly inbound: HotlineInboundService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<VigieRequest>();
    const { hotline, webhookId } = await this.inbound.authenticate(req.rawBody, {
      'webhook-id': req.header('webhook-id'),
      'webhook-timestamp': req.header('webhook-timestamp'),
      'webhook-signature': req.header('webhook-signature'),
    });
    req.caller = hotline;
    req.inboundWebhookId = webhookId;
    return true;
  }
}
