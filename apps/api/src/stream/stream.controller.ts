import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import { VigieConfig } from '@vigie/config';
import { ApiClientService, Caller, DomainError, SessionService } from '@vigie/domain';
import { ApiErrorResponses } from '../http/api-docs';
import { credentialOf, CurrentCaller } from '../http/auth.guard';
import type { VigieRequest } from '../http/request-context';
import { LiveEvent, LiveEventHub } from './live-event.hub';
import { StreamEventResponse } from './stream.response';

/** How long a browser waits before reconnecting a stream that ended (the SSE `retry:` field). */
const RECONNECT_MS = 5000;

@ApiTags('stream')
@ApiBearerAuth()
@ApiErrorResponses()
@Controller('v1/stream')
export class StreamController {
  constructor(
    private readonly hub: LiveEventHub,
    private readonly config: VigieConfig,
    private readonly clients: ApiClientService,
    private readonly sessions: SessionService,
  ) {}

  @Get()
  @ApiProduces('text/event-stream')
  @ApiExtraModels(StreamEventResponse)
  @ApiOkResponse({
    content: { 'text/event-stream': { schema: { $ref: getSchemaPath(StreamEventResponse) } } },
    description:
      'Server-Sent Events: one per committed timeline event of an episode the caller may read (as GET /v1/fugues/{id}), ' +
      'with `id:` (the timeline entry id), `event:` (its type) and `data:` (this JSON: ids and the type, never personal data); ' +
      '`stream.resync` when events may have been missed (read the lists again). A comment every VIGIE_STREAM_HEARTBEAT_SECONDS ' +
      'keeps it open; the key or session is checked again then, and the stream ends once it no longer works. ' +
      '503 with Retry-After when this server holds VIGIE_STREAM_MAX_CONNECTIONS streams, 429 past 20 for one caller.',
  })
  stream(@CurrentCaller() caller: Caller, @Req() req: VigieRequest, @Res() res: Response): void {
    let ended = false;
    let heartbeat: NodeJS.Timeout | null = null;
    let unsubscribe = () => {};
    const end = () => {
      if (ended) return;
      ended = true;
      if (heartbeat) clearInterval(heartbeat);
      unsubscribe();
      res.end();
    };
    const subscriber = {
      caller,
      send: (event: LiveEvent) => {
        if (!ended) res.write(`${event.eventId ? `id: ${event.eventId}\n` : ''}event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      },
      close: end,
    };
    try {
      unsubscribe = this.hub.subscribe(subscriber);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'DEPENDENCY_UNAVAILABLE') res.setHeader('Retry-After', '30');
      throw error;
    }
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    // Proxies that buffer responses (nginx) would hold the events back.
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write(`retry: ${RECONNECT_MS}\n: connected\n\n`);
    res.on('close', end);
    const credential = credentialOf(req);
    heartbeat = setInterval(() => {
      void this.recheck(credential).then(
        (current) => {
          if (ended) return;
          if (!current) return end();
          subscriber.caller = current;
          res.write(': heartbeat\n\n');
        },
        // A database that does not answer for a moment does not end the stream.
        () => !ended && res.write(': heartbeat\n\n'),
      );
    }, this.config.VIGIE_STREAM_HEARTBEAT_SECONDS * 1000);
  }

  /** The caller the request's key or session gives now (its scope may have changed), or null once it no longer works. */
  private recheck(credential: ReturnType<typeof credentialOf>): Promise<Caller | null> {
    if (!credential) return Promise.resolve(null);
    return credential.kind === 'key' ? this.clients.authenticate(credential.key) : this.sessions.check(credential.sessionId);
  }
}
