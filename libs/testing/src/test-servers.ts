import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ParsedMail } from 'mailparser';
import type { SMTPServer } from 'smtp-server';

/** One request an HttpReceiver got, exactly as it arrived. */
export interface ReceivedRequest {
  method: string;
  /** Path and query string. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The body as sent, byte for byte (signatures are checked on it). */
  rawBody: string;
}

/** How an HttpReceiver answers: a status with optional headers and body, or never ('hang'). */
export type ReceiverAnswer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/**
 * A real HTTP server on 127.0.0.1 and a free port that records every request (raw body and
 * headers) and answers as the test programs it: 200 until told otherwise.
 */
export class HttpReceiver {
  readonly requests: ReceivedRequest[] = [];
  private answer: (request: ReceivedRequest) => ReceiverAnswer = () => ({ status: 200 });

  private constructor(private readonly server: Server) {}

  static async start(): Promise<HttpReceiver> {
    const server = createServer();
    const receiver = new HttpReceiver(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8') };
        receiver.requests.push(request);
        const answer = receiver.answer(request);
        if (answer === 'hang') return;
        res.writeHead(answer.status, answer.headers).end(answer.body ?? '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  /** The base URL, `http://127.0.0.1:<port>`, followed by `path`. */
  url(path = '/'): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  /** Answers every later request with `answer`, or with what `answer(request)` returns. */
  answerWith(answer: ReceiverAnswer | ((request: ReceivedRequest) => ReceiverAnswer)): void {
    this.answer = typeof answer === 'function' ? answer : () => answer;
  }

  /** Forgets the requests received and answers 200 again. */
  reset(): void {
    this.requests.length = 0;
    this.answer = () => ({ status: 200 });
  }

  /** Stops listening and cuts every open connection, hanging ones included. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}

/** One message an SmtpCatcher accepted. */
export interface CaughtEmail {
  envelopeFrom: string;
  envelopeTo: string[];
  /** The message as transmitted (headers and MIME body). */
  raw: string;
}

/**
 * A real SMTP server (smtp-server, no TLS, any or no authentication) on 127.0.0.1 and a free
 * port that keeps every message it accepts; it can be told to reject recipients.
 */
export class SmtpCatcher {
  readonly messages: CaughtEmail[] = [];
  private readonly rejected = new Set<string>();
  private server!: SMTPServer;
  private port = 0;

  static async start(): Promise<SmtpCatcher> {
    const { SMTPServer } = await import('smtp-server');
    const catcher = new SmtpCatcher();
    catcher.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      closeTimeout: 1000,
      onRcptTo: (address, _session, callback) => {
        if (!catcher.rejected.has(address.address.toLowerCase())) return callback();
        callback(Object.assign(new Error('Recipient address rejected'), { responseCode: 550 }));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          catcher.messages.push({
            envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      catcher.server.once('error', reject);
      catcher.server.listen(0, '127.0.0.1', () => resolve());
    });
    catcher.port = (catcher.server.server.address() as AddressInfo).port;
    return catcher;
  }

  /** The messages caught so far whose envelope names `address` among its recipients. */
  messagesTo(address: string): CaughtEmail[] {
    return this.messages.filter((m) => m.envelopeTo.includes(address));
  }

  /** `smtp://127.0.0.1:<port>`, usable as SMTP_URL. */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Answers 550 to RCPT TO for this address from now on. */
  rejectRecipient(address: string): void {
    this.rejected.add(address.toLowerCase());
  }

  /** Parses a caught message (headers decoded, text and html parts separated). */
  async parse(message: CaughtEmail): Promise<ParsedMail> {
    const { simpleParser } = await import('mailparser');
    return simpleParser(message.raw);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
