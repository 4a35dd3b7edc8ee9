import { Controller, Get, Header, NotFoundException, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiNotFoundResponse, ApiOperation, ApiQuery, ApiResponse, ApiSeeOtherResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { VigieConfig } from '@vigie/config';
import { OIDC_ATTEMPT_MS, OidcCallbackQuery, OidcOutcome, OidcProviderUnreachableError, OidcSignInService } from '@vigie/domain';
import { ErrorResponse } from '../http/api-docs';
import { AuditAsChange } from '../http/audit.interceptor';
import { cookieOf, Public, SESSION_COOKIE } from '../http/auth.guard';
import { htmlPage } from '../http/html-page';
import type { VigieRequest } from '../http/request-context';

/** The browser's cookie naming its OpenID Connect sign-in in progress (only for /auth/oidc paths). */
export const OIDC_ATTEMPT_COOKIE = 'vigie_oidc';
const ATTEMPT_COOKIE_PATH = '/auth/oidc';

/**
 * Sign-in with the OpenID provider (ProConnect or another), when OIDC_ISSUER_URL,
 * OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are set; otherwise both routes answer 404 as an unknown
 * path does. Only the start is in the API document: the callback is the provider's to call.
 */
@ApiTags('sign-in')
@Public()
@Controller('auth/oidc')
export class OidcController {
  private readonly secure: boolean;

  constructor(
    config: VigieConfig,
    private readonly oidc: OidcSignInService,
  ) {
    this.secure = config.VIGIE_PUBLIC_URL.startsWith('https://');
  }

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Sign in with the OpenID provider: redirects to it (only when OpenID Connect sign-in is configured)' })
  @ApiQuery({ name: 'next', required: false, type: String, description: 'A path of this site (`/…`) to land on after sign-in; anything else lands on `/`', example: '/episodes' })
  @ApiSeeOtherResponse({
    description: "To the provider's authorization endpoint (code flow with PKCE); sets the short-lived `vigie_oidc` cookie of the attempt",
    headers: { Location: { description: "The provider's authorization URL", schema: { type: 'string' } } },
  })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'OpenID Connect sign-in is not configured (as for any unknown path)' })
  @ApiResponse({ status: 502, description: 'The OpenID provider cannot be reached: a French page', content: { 'text/html': { schema: { type: 'string' } } } })
  async start(@Query('next') next: unknown, @Res() res: Response): Promise<void> {
    if (!this.oidc.enabled) throw new NotFoundException();
    try {
      const attempt = await this.oidc.begin(typeof next === 'string' ? next : undefined);
      res.cookie(OIDC_ATTEMPT_COOKIE, attempt.attemptId, { httpOnly: true, sameSite: 'lax', path: ATTEMPT_COOKIE_PATH, secure: this.secure, maxAge: OIDC_ATTEMPT_MS });
      res.redirect(303, attempt.authorizationUrl);
    } catch (error) {
      if (!(error instanceof OidcProviderUnreachableError)) throw error;
      unreachablePage(res);
    }
  }

  @Get('callback')
  @ApiExcludeEndpoint()
  // Recorded as the e-mail link's POST is: an entry with the route and the status.
  @AuditAsChange()
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  async callback(@Query() query: Record<string, unknown>, @Req() req: VigieRequest, @Res() res: Response): Promise<void> {
    if (!this.oidc.enabled) throw new NotFoundException();
    const outcome = await this.oidc.complete(cookieOf(req, OIDC_ATTEMPT_COOKIE), callbackQuery(query));
    res.clearCookie(OIDC_ATTEMPT_COOKIE, { httpOnly: true, sameSite: 'lax', path: ATTEMPT_COOKIE_PATH, secure: this.secure });
    this.answer(outcome, res);
  }

  private answer(outcome: OidcOutcome, res: Response): void {
    switch (outcome.kind) {
      case 'signed_in':
        res.cookie(SESSION_COOKIE, outcome.session.sessionId, { httpOnly: true, sameSite: 'lax', path: '/', secure: this.secure, expires: outcome.session.expiresAt });
        return res.redirect(303, outcome.nextPath);
      case 'unknown_person':
        return htmlPage(
          res,
          403,
          'Compte inconnu',
          'Votre compte n’est pas connu de Vigie, ou il n’est plus actif. Demandez à votre administrateur de Vigie de vous ouvrir un accès avec cette adresse électronique.',
        );
      case 'provider_unreachable':
        return unreachablePage(res);
      case 'refused':
        return htmlPage(
          res,
          400,
          'Connexion interrompue',
          outcome.reason === 'provider_error'
            ? 'Le fournisseur d’identité n’a pas confirmé votre connexion. Vous pouvez <a href="/auth/oidc">recommencer</a>.'
            : 'Cette tentative de connexion n’est plus valable : elle a expiré, a déjà servi ou ne vient pas de ce navigateur. Vous pouvez <a href="/auth/oidc">recommencer</a>.',
        );
    }
  }
}

/** The authorization response's own parameters, as strings (a repeated parameter is refused as absent). */
function callbackQuery(query: Record<string, unknown>): OidcCallbackQuery {
  const text = (name: string) => (typeof query[name] === 'string' ? (query[name] as string) : undefined);
  return { code: text('code'), state: text('state'), error: text('error'), iss: text('iss'), session_state: text('session_state') };
}

function unreachablePage(res: Response): void {
  htmlPage(res, 502, 'Connexion indisponible', 'Le fournisseur d’identité ne répond pas pour le moment. Réessayez dans quelques minutes.');
}
