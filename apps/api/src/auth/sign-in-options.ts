import { Injectable } from '@nestjs/common';
import { oidcConfigured, VigieConfig } from '@vigie/config';

/**
 * Which ways of signing in this service offers, as `GET /auth/options` tells the console. The
 * e-mailed link always works; OpenID Connect once OIDC_ISSUER_URL, OIDC_CLIENT_ID and
 * OIDC_CLIENT_SECRET are set (the condition under which /auth/oidc answers).
 */
@Injectable()
export class SignInOptions {
  readonly emailLink = true;
  readonly oidc: boolean;

  constructor(config: VigieConfig) {
    this.oidc = oidcConfigured(config);
  }
}
