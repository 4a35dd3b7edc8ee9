import { Injectable } from '@nestjs/common';

/**
 * Which ways of signing in this service offers, as `GET /auth/options` tells the console. The
 * e-mailed link always works; OpenID Connect only once its issuer and client are configured,
 * which is decided here and nowhere else.
 */
@Injectable()
export class SignInOptions {
  readonly emailLink = true;
  readonly oidc: boolean = false;
}
