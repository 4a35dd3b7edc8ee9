import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { VigieConfig } from '@vigie/config';
import { EmailChannel } from '@vigie/notifications';
import { PeopleRepository } from '@vigie/persistence';
import { Clock } from '../clock/clock';
import { hashSecret, NewSession, SessionService } from './session.service';

/** A sign-in link works once, for 15 minutes. */
export const SIGN_IN_LINK_MS = 15 * 60_000;

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** Where a person lands after sign-in: a path of this site only (never `//host` or `/\host`). */
export function safeNextPath(next: string | undefined | null): string {
  if (!next || !/^\/(?![/\\])[\x21-\x7e]{0,500}$/.test(next) || next.includes('\\')) return '/';
  return next;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Sign-in by e-mailed link. The request says nothing about whether the address is known; the
 * link's token is stored by hash only, works once and for 15 minutes. Opening the link changes
 * nothing (mail scanners follow links): only confirming it signs in.
 */
@Injectable()
export class EmailLinkService {
  private readonly logger = new Logger('SignIn');
  private readonly publicUrl: string;

  constructor(
    config: VigieConfig,
    private readonly people: PeopleRepository,
    private readonly sessions: SessionService,
    private readonly email: EmailChannel,
    private readonly clock: Clock,
  ) {
    this.publicUrl = config.VIGIE_PUBLIC_URL.replace(/\/+$/, '');
  }

  /**
   * Sends a link when the address is an active person's. The e-mail leaves in the background, so
   * the answer takes as long for an unknown address; a failed send is logged without the address.
   */
  async request(address: string, next?: string): Promise<void> {
    const person = await this.people.findActiveByEmail(address.trim());
    if (!person) return;
    const now = this.clock.now();
    const token = randomBytes(32).toString('base64url');
    await this.people.createSignInLink(hashSecret(token), person.id, safeNextPath(next), now, new Date(now.getTime() + SIGN_IN_LINK_MS));
    const url = `${this.publicUrl}/auth/email-link/${token}`;
    const text = [
      `Bonjour ${person.displayName},`,
      '',
      'Pour vous connecter à Vigie, ouvrez ce lien puis confirmez :',
      url,
      '',
      'Ce lien ne sert qu’une fois et expire dans 15 minutes.',
      'Si vous n’avez pas demandé à vous connecter, ignorez ce message.',
    ].join('\n');
    const html =
      `<!doctype html>\n<html lang="fr"><body><p>Bonjour ${escapeHtml(person.displayName)},</p>` +
      `<p>Pour vous connecter à Vigie, ouvrez ce lien puis confirmez :<br><a href="${escapeHtml(url)}">${escapeHtml(url)}</a></p>` +
      `<p>Ce lien ne sert qu’une fois et expire dans 15 minutes.<br>Si vous n’avez pas demandé à vous connecter, ignorez ce message.</p></body></html>`;
    void this.email.send({ to: person.email, subject: '[Vigie] Votre lien de connexion', text, html }).then(
      (result) => {
        if (!result.ok) this.logger.warn(`A sign-in e-mail was not accepted: ${result.error ?? `status ${result.status}`}`);
      },
      () => this.logger.warn('A sign-in e-mail could not be sent'),
    );
  }

  /** Whether a link would sign in now (GET: reads only). */
  async isValid(token: string): Promise<boolean> {
    return TOKEN.test(token) && this.people.peekSignInLink(hashSecret(token), this.clock.now());
  }

  /** Uses the link (once) and opens a session, or null when the link is unknown, used or expired. */
  async signIn(token: string): Promise<(NewSession & { nextPath: string }) | null> {
    if (!TOKEN.test(token)) return null;
    const link = await this.people.consumeSignInLink(hashSecret(token), this.clock.now());
    if (!link) return null;
    return { ...(await this.sessions.start(link.personId)), nextPath: link.nextPath };
  }
}
