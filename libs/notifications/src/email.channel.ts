import { OnApplicationShutdown } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import { DeliveryResult, elapsedSince } from './delivery-result';

const SMTP_TIMEOUT_MS = 10_000;

/** Where e-mails leave from: SMTP_URL and SMTP_FROM. */
export interface EmailChannelOptions {
  /** `smtp://` or `smtps://` URL, credentials included when the server needs them. */
  smtpUrl: string;
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
 */
export class EmailChannel implements OnApplicationShutdown {
  private readonly transport: ReturnType<typeof createTransport>;

  constructor({ smtpUrl, from }: EmailChannelOptions) {
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
    try {
      const info = await this.transport.sendMail({ to, subject, text, html, messageId });
      return { ok: true, status: replyCode(info.response), durationMs: elapsedSince(startedAt) };
    } catch (error) {
      const { code, responseCode, message } = error as { code?: string; responseCode?: number; message?: string };
      const reason = [code, message].filter(Boolean).join(': ').slice(0, 300) || 'SMTP send failed';
      return { ok: false, status: responseCode, error: reason, durationMs: elapsedSince(startedAt) };
    }
  }

  /** Closes the pooled connections. */
  close(): void {
    this.transport.close();
  }

  onApplicationShutdown(): void {
    this.close();
  }
}

function replyCode(response: unknown): number | undefined {
  const match = typeof response === 'string' ? /^(\d{3})\b/.exec(response) : null;
  return match ? Number(match[1]) : undefined;
}
