import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OnApplicationShutdown } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import { DeliveryResult, elapsedSince } from './delivery-result';

const SMTP_TIMEOUT_MS = 10_000;

/** Where e-mails leave from: SMTP_URL and SMTP_FROM, or a folder in development. */
export interface EmailChannelOptions {
  /** `smtp://` or `smtps://` URL, credentials included when the server needs them. */
  smtpUrl?: string;
  /** Without `smtpUrl`: the folder where each e-mail is written as an `.eml` file (development). */
  outboxDir?: string;
  /** The sender, e.g. `Vigie <vigie@example.org>`. */
  from: string;
}

/** One e-mail; build subject, text and html with `emailMessage`. */
export interface EmailSend {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** A stable `<…@…>` id makes a replayed send recognisable as the same message. */
  messageId?: string;
}

/**
 * Sends e-mails through one pooled SMTP transport. A send that the server does not accept
 * (refused connection, timeout, rejected recipient) is an `ok: false` result, never a throw.
 * Without an SMTP server, e-mails are written to `outboxDir` (development), or fail.
 */
export class EmailChannel implements OnApplicationShutdown {
  private readonly transport: ReturnType<typeof createTransport> | null;
  private readonly files: ReturnType<typeof createTransport> | null = null;
  private readonly outboxDir: string | undefined;

  constructor({ smtpUrl, outboxDir, from }: EmailChannelOptions) {
    this.outboxDir = smtpUrl ? undefined : outboxDir;
    if (!smtpUrl) {
      this.transport = null;
      if (outboxDir) this.files = createTransport({ streamTransport: true, buffer: true, newline: 'unix' }, { from });
      return;
    }
    this.transport = createTransport(
      {
        url: smtpUrl,
        pool: true,
        connectionTimeout: SMTP_TIMEOUT_MS,
        greetingTimeout: SMTP_TIMEOUT_MS,
        socketTimeout: SMTP_TIMEOUT_MS,
        logger: false,
      },
      { from },
    );
  }

  async send({ to, subject, text, html, messageId }: EmailSend): Promise<DeliveryResult> {
    const startedAt = performance.now();
    if (!this.transport) return this.writeToOutbox({ to, subject, text, html, messageId }, startedAt);
    try {
      const info = await this.transport.sendMail({ to, subject, text, html, messageId });
      return { ok: true, status: replyCode(info.response), durationMs: elapsedSince(startedAt) };
    } catch (error) {
      const { code, responseCode, message } = error as { code?: string; responseCode?: number; message?: string };
      const reason = [code, message].filter(Boolean).join(': ').slice(0, 300) || 'SMTP send failed';
      return { ok: false, status: responseCode, error: reason, durationMs: elapsedSince(startedAt) };
    }
  }

  private async writeToOutbox(email: EmailSend, startedAt: number): Promise<DeliveryResult> {
    if (!this.files || !this.outboxDir) return { ok: false, error: 'No SMTP server configured (SMTP_URL is not set)', durationMs: elapsedSince(startedAt) };
    try {
      const info = (await this.files.sendMail(email)) as { message: Buffer; messageId: string };
      await mkdir(this.outboxDir, { recursive: true, mode: 0o700 });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${info.messageId.replace(/[^A-Za-z0-9@._-]/g, '')}.eml`;
      await writeFile(join(this.outboxDir, name), info.message, { mode: 0o600 });
      return { ok: true, durationMs: elapsedSince(startedAt) };
    } catch (error) {
      return { ok: false, error: `Could not write the e-mail to ${this.outboxDir}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, durationMs: elapsedSince(startedAt) };
    }
  }

  /** Closes the pooled connections. */
  close(): void {
    this.transport?.close();
  }

  onApplicationShutdown(): void {
    this.close();
  }
}

function replyCode(response: unknown): number | undefined {
  const match = typeof response === 'string' ? /^(\d{3})\b/.exec(response) : null;
  return match ? Number(match[1]) : undefined;
}
