import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { BaseClient, ClientAuthMethod, errors, generators, Issuer } from 'openid-client';
import { oidcConfigured, VigieConfig } from '@vigie/config';
import { PeopleRepository } from '@vigie/persistence';
import { Clock } from '../clock/clock';
import { safeNextPath } from './email-link.service';
import { hashSecret, NewSession, SessionService } from './session.service';

/** An OpenID Connect sign-in must come back from the provider within 10 minutes, once. */
export const OIDC_ATTEMPT_MS = 10 * 60_000;

/** Scopes asked of the provider: the e-mail address is what finds the person. */
export const OIDC_SCOPES = 'openid email';

const ATTEMPT_ID = /^[A-Za-z0-9_-]{43}$/;

/** Why a callback signs nobody in without it being the person's fault (answered 400). */
export type OidcRefusal = 'no_attempt' | 'expired_or_used' | 'state_mismatch' | 'provider_error' | 'token_exchange_failed';

export type OidcOutcome =
  | { kind: 'signed_in'; session: NewSession; nextPath: string }
  /** No active person has the provider's e-mail address (or the provider says it is not verified). */
  | { kind: 'unknown_person' }
  | { kind: 'refused'; reason: OidcRefusal }
  /** The provider could not be reached (discovery, keys or token endpoint). */
  | { kind: 'provider_unreachable' };

export interface OidcStart {
  /** The value of the browser's attempt cookie: only its hash is stored. */
  attemptId: string;
  expiresAt: Date;
  authorizationUrl: string;
}

/** The provider could not be reached to start a sign-in. */
export class OidcProviderUnreachableError extends Error {}

/** The authorization response's parameters that matter (the query of the callback). */
export interface OidcCallbackQuery {
  code?: string;
  state?: string;
  error?: string;
  iss?: string;
  session_state?: string;
}

/**
 * Sign-in with an OpenID Connect provider (ProConnect, or any standard one): authorization code
 * flow with PKCE (S256), state and nonce. The attempt is kept in PostgreSQL under the hash of a
 * random id that only the browser's cookie holds, so a callback works once, within 10 minutes,
 * and only in the browser that started it. The person is the active person whose e-mail address
 * is the provider's `email` claim, read from the ID token, or from userinfo when the ID token
 * does not carry it (ProConnect's case).
 */
@Injectable()
export class OidcSignInService {
  private readonly logger = new Logger('SignIn');
  readonly enabled: boolean;
  readonly redirectUri: string;
  private client: Promise<BaseClient> | null = null;

  constructor(
    private readonly config: VigieConfig,
    private readonly people: PeopleRepository,
    private readonly sessions: SessionService,
    private readonly clock: Clock,
  ) {
    this.enabled = oidcConfigured(config);
    this.redirectUri = `${config.VIGIE_PUBLIC_URL.replace(/\/+$/, '')}/auth/oidc/callback`;
  }

  /** Opens an attempt and gives the provider's authorization URL to send the browser to. */
  async begin(next?: string): Promise<OidcStart> {
    let client: BaseClient;
    try {
      client = await this.providerClient();
    } catch (error) {
      this.logger.warn(`The OpenID provider could not be reached to start a sign-in: ${describe(error)}`);
      throw new OidcProviderUnreachableError();
    }
    const attemptId = randomBytes(32).toString('base64url');
    const state = generators.state();
    const nonce = generators.nonce();
    const codeVerifier = generators.codeVerifier();
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + OIDC_ATTEMPT_MS);
    await this.people.createOidcAttempt(hashSecret(attemptId), { state, nonce, codeVerifier, nextPath: safeNextPath(next) }, now, expiresAt);
    const authorizationUrl = client.authorizationUrl({
      scope: OIDC_SCOPES,
      state,
      nonce,
      code_challenge: generators.codeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    return { attemptId, expiresAt, authorizationUrl };
  }

  /** Completes the attempt named by the browser's cookie with the provider's answer. */
  async complete(attemptId: string | undefined, query: OidcCallbackQuery): Promise<OidcOutcome> {
    if (!attemptId || !ATTEMPT_ID.test(attemptId)) return this.refuse('no_attempt');
    // Used up whatever follows: a callback cannot be played twice, even a failed one.
    const attempt = await this.people.consumeOidcAttempt(hashSecret(attemptId), this.clock.now());
    if (!attempt) return this.refuse('expired_or_used');
    if (!query.state || !sameText(query.state, attempt.state)) return this.refuse('state_mismatch');
    if (query.error) {
      this.logger.warn(`The OpenID provider refused a sign-in: ${/^[a-z_]{1,60}$/.test(query.error) ? query.error : 'unknown error'}`);
      return { kind: 'refused', reason: 'provider_error' };
    }
    let client: BaseClient;
    try {
      client = await this.providerClient();
    } catch (error) {
      this.logger.warn(`The OpenID provider could not be reached to finish a sign-in: ${describe(error)}`);
      return { kind: 'provider_unreachable' };
    }
    let claims: Record<string, unknown>;
    try {
      const tokens = await client.callback(this.redirectUri, definedOnly(query), { state: attempt.state, nonce: attempt.nonce, code_verifier: attempt.codeVerifier, response_type: 'code' });
      claims = { ...tokens.claims() };
      if (claims.email === undefined && client.issuer.metadata.userinfo_endpoint) {
        // The userinfo's `sub` is checked against the ID token's by the library.
        claims = { ...(await client.userinfo(tokens)), ...claims };
      }
    } catch (error) {
      if (unreachable(error)) {
        this.logger.warn(`The OpenID provider could not be reached to finish a sign-in: ${describe(error)}`);
        return { kind: 'provider_unreachable' };
      }
      this.logger.warn(`An OpenID Connect sign-in failed at the token exchange: ${describe(error)}`);
      return { kind: 'refused', reason: 'token_exchange_failed' };
    }
    const email = typeof claims.email === 'string' ? claims.email.trim() : '';
    // A provider that says whether the address is verified must say yes; ProConnect's addresses
    // are verified by the federation and it sends no such claim.
    if (!email || ('email_verified' in claims && claims.email_verified !== true && claims.email_verified !== 'true')) {
      this.logger.warn('An OpenID Connect sign-in carried no verified e-mail address');
      return { kind: 'unknown_person' };
    }
    const person = await this.people.findActiveByEmail(email);
    if (!person) {
      this.logger.log('An OpenID Connect sign-in named no active person');
      return { kind: 'unknown_person' };
    }
    return { kind: 'signed_in', session: await this.sessions.start(person.id), nextPath: attempt.nextPath };
  }

  private refuse(reason: OidcRefusal): OidcOutcome {
    this.logger.warn(`An OpenID Connect sign-in was refused: ${reason.replace(/_/g, ' ')}`);
    return { kind: 'refused', reason };
  }

  /** Discovers the provider once; a failed discovery is tried again at the next sign-in. */
  private providerClient(): Promise<BaseClient> {
    if (!this.enabled) return Promise.reject(new Error('OpenID Connect sign-in is not configured'));
    this.client ??= this.discover().catch((error: unknown) => {
      this.client = null;
      throw error;
    });
    return this.client;
  }

  private async discover(): Promise<BaseClient> {
    const issuer = await Issuer.discover(this.config.OIDC_ISSUER_URL!);
    const methods = issuer.metadata.token_endpoint_auth_methods_supported;
    // The secret goes in the body when the provider takes it there (ProConnect documents that
    // way); in the Authorization header when it lists only that, or lists nothing (the standard's default).
    const authMethod: ClientAuthMethod = methods?.includes('client_secret_post') ? 'client_secret_post' : 'client_secret_basic';
    return new issuer.Client({
      client_id: this.config.OIDC_CLIENT_ID!,
      client_secret: this.config.OIDC_CLIENT_SECRET!,
      redirect_uris: [this.redirectUri],
      response_types: ['code'],
      token_endpoint_auth_method: authMethod,
      id_token_signed_response_alg: 'RS256',
      ...(this.config.OIDC_USERINFO_SIGNED_RESPONSE_ALG ? { userinfo_signed_response_alg: this.config.OIDC_USERINFO_SIGNED_RESPONSE_ALG } : {}),
    });
  }
}

function definedOnly(query: OidcCallbackQuery): Record<string, string> {
  return Object.fromEntries(Object.entries(query).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A network failure, a time-out or a provider's 5xx: the provider is not answering. */
function unreachable(error: unknown): boolean {
  if (error instanceof errors.OPError) return (error.response?.statusCode ?? 0) >= 500;
  if (error instanceof errors.RPError) return /timed out|expected 200 OK, got: 5\d\d/.test(error.message) || (error.response?.statusCode ?? 0) >= 500;
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE)$/.test(code);
}

/**
 * An error's kind for the log, never its values: the library's messages may quote what it
 * compared (a nonce, a subject), so only their first words are kept.
 */
function describe(error: unknown): string {
  if (error instanceof errors.OPError) return `provider error ${/^[a-z_]{1,60}$/.test(error.error ?? '') ? error.error : 'unknown'}`;
  const e = error as { name?: string; code?: string; message?: string };
  const words = String(e?.message ?? '').split(/[,:(]/)[0].replace(/[^A-Za-z0-9 _.-]/g, '').slice(0, 80);
  return `${e?.name ?? 'Error'}${typeof e?.code === 'string' ? ` ${e.code.slice(0, 40)}` : ''}: ${words}`;
}
