import { createHash } from 'node:crypto';
import { Body, Controller, Get, Header, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiCookieAuth, ApiExcludeEndpoint, ApiForbiddenResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { VigieConfig } from '@vigie/config';
import { DomainError, EmailLinkService, SessionService } from '@vigie/domain';
import { ErrorResponse } from '../http/api-docs';
import { clientAddress } from '../http/auth-failure.limiter';
import { cookieOf, csrfMatches, Public, SESSION_COOKIE } from '../http/auth.guard';
import { RateLimitStore } from '../http/rate-limit.store';
import type { VigieRequest } from '../http/request-context';
import { EmailLinkRequestDto } from '../people/people.dto';
import { htmlPage } from '../http/html-page';
import { SignInOptions } from './sign-in-options';

const WINDOW_MS = 15 * 60_000;
/** Sign-in links asked per e-mail address in 15 minutes (per client address: VIGIE_SIGN_IN_LINKS_PER_CLIENT_ADDRESS). */
export const LINKS_PER_EMAIL = 5;

const SENT = { message: 'Si cette adresse est celle d’une personne inscrite, un lien de connexion vient de lui être envoyé.' };

export class SignInOptionsResponse {
  @ApiProperty({ example: true, description: 'Signing in by e-mailed link (POST /auth/email-link) is offered: always true' }) emailLink: boolean;
  @ApiProperty({ example: false, description: 'Signing in with OpenID Connect (GET /auth/oidc?next=…) is configured on this service' }) oidc: boolean;
}

export class EmailLinkSentResponse {
  @ApiProperty({ example: SENT.message, description: 'The same answer whether or not the address is known' }) message: string;
}

/**
 * Sign-in by e-mailed link and sign-out. The link's GET shows a page with a button and changes
 * nothing (mail scanners open links); its POST signs in. Tokens are in paths: the request log
 * writes route patterns only.
 */
@ApiTags('sign-in')
@Public()
@Controller('auth')
export class AuthController {
  private readonly secure: boolean;
  private readonly linksPerClientAddress: number;

  constructor(
    config: VigieConfig,
    private readonly links: EmailLinkService,
    private readonly sessions: SessionService,
    private readonly limits: RateLimitStore,
    private readonly options: SignInOptions,
  ) {
    this.secure = config.VIGIE_PUBLIC_URL.startsWith('https://');
    this.linksPerClientAddress = config.VIGIE_SIGN_IN_LINKS_PER_CLIENT_ADDRESS;
  }

  @Get('options')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Which ways of signing in this service offers (read by the console before it shows its sign-in page)' })
  @ApiOkResponse({ type: SignInOptionsResponse })
  signInOptions(): SignInOptionsResponse {
    return { emailLink: this.options.emailLink, oidc: this.options.oidc };
  }

  @Post('email-link')
  @HttpCode(202)
  @ApiOperation({ summary: 'E-mail a sign-in link (single use, 15 minutes) to this address if it is an active person’s' })
  @ApiAcceptedResponse({ type: EmailLinkSentResponse, description: 'The same body whether or not the address is known' })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'VALIDATION_FAILED: not an e-mail address, or a `next` that is not a path of this site' })
  @ApiTooManyRequestsResponse({ type: ErrorResponse, description: 'Too many links asked for this address or from this client address; see Retry-After' })
  async requestLink(@Body() dto: EmailLinkRequestDto, @Req() req: VigieRequest, @Res({ passthrough: true }) res: Response) {
    const emailKey = createHash('sha256').update(dto.email.trim().toLowerCase()).digest('hex');
    const limits: [string, number][] = [
      [`email-link:client:${clientAddress(req)}`, this.linksPerClientAddress],
      [`email-link:email:${emailKey}`, LINKS_PER_EMAIL],
    ];
    for (const [key, limit] of limits) {
      const hit = await this.limits.hit(key, WINDOW_MS, limit + 1, WINDOW_MS);
      if (hit.blocked) {
        res.setHeader('Retry-After', String(Math.max(1, Math.ceil(hit.blockedForMs / 1000))));
        throw new DomainError('RATE_LIMITED', 'Too many sign-in links asked; try again later');
      }
    }
    await this.links.request(dto.email, dto.next);
    return SENT;
  }

  @Get('email-link/:token')
  @ApiExcludeEndpoint()
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  async confirm(@Param('token') token: string, @Res() res: Response) {
    if (!(await this.links.isValid(token))) return invalidLink(res);
    return htmlPage(
      res,
      200,
      'Connexion à Vigie',
      'Pour vous connecter, confirmez avec le bouton ci-dessous. Ce lien ne sert qu’une fois.',
      `<form method="post"><button type="submit">Me connecter</button></form>`,
    );
  }

  @Post('email-link/:token')
  @ApiExcludeEndpoint()
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  async signIn(@Param('token') token: string, @Res() res: Response) {
    const session = await this.links.signIn(token);
    if (!session) return invalidLink(res);
    res.cookie(SESSION_COOKIE, session.sessionId, {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      secure: this.secure,
      expires: session.expiresAt,
    });
    res.redirect(303, session.nextPath);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiCookieAuth(SESSION_COOKIE)
  @ApiOperation({ summary: 'Sign out: the session ends and its cookie is cleared (X-CSRF-Token required while the session is live)' })
  @ApiNoContentResponse({ description: 'Signed out (also when the session had already ended)' })
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'CSRF_FAILED: the X-CSRF-Token header is missing or wrong' })
  async logout(@Req() req: VigieRequest, @Res({ passthrough: true }) res: Response): Promise<void> {
    const sessionId = cookieOf(req, SESSION_COOKIE);
    if (sessionId) {
      const session = await this.sessions.authenticate(sessionId);
      if (session && !csrfMatches(req.header('x-csrf-token'), session.csrfToken)) {
        throw new DomainError('CSRF_FAILED', 'Signing out needs the X-CSRF-Token header given by GET /v1/me');
      }
      await this.sessions.end(sessionId);
    }
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', path: '/', secure: this.secure });
  }
}

function invalidLink(res: Response): void {
  htmlPage(res, 404, 'Lien non valide', 'Ce lien de connexion n’est pas valide, a déjà servi ou a expiré. Demandez-en un nouveau.');
}

