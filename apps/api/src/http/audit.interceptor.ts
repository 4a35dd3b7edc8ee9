import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { from, Observable, switchMap } from 'rxjs';
import { AuditRecord, AuditRepository } from '@vigie/persistence';
import type { VigieRequest } from './request-context';

export interface AuditSubject {
  youthId?: string | null;
  fugueId?: string | null;
}

type SubjectOf = (body: never, params: Record<string, string>) => AuditSubject | AuditSubject[];

const AUDIT = 'vigie:audit';
const AUDIT_AS_CHANGE = 'vigie:audit-as-change';

/**
 * Marks a route whose response carries a youth's identity: every such response writes an audit
 * entry naming the youth and episode it showed.
 */
export const AuditIdentity = (subject: SubjectOf) => SetMetadata(AUDIT, subject);

/**
 * Marks a GET route that changes something (the OpenID Connect callback signs in): it is audited
 * as a change, as every POST is.
 */
export const AuditAsChange = () => SetMetadata(AUDIT_AS_CHANGE, true);

/**
 * Writes the audit log: one entry per response that carries identity (`read_identity`) and one
 * per successful change (`change`). The entry is written before the response leaves.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Audit');

  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditRepository,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<VigieRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    const subjectOf = this.reflector.get<SubjectOf | undefined>(AUDIT, context.getHandler());
    const isChange = (req.method !== 'GET' && req.method !== 'HEAD') || this.reflector.get<boolean | undefined>(AUDIT_AS_CHANGE, context.getHandler()) === true;
    if (!subjectOf && !isChange) return next.handle();
    return next.handle().pipe(
      switchMap((body: unknown) =>
        from(
          (async () => {
            const subjects = subjectOf ? [subjectOf(body as never, req.params as Record<string, string>)].flat() : [paramSubject(req)];
            const records: AuditRecord[] = subjects.map((s) => ({
              clientId: req.caller && !req.caller.personId ? req.caller.clientId : null,
              personId: req.caller?.personId ?? null,
              action: isChange ? 'change' : 'read_identity',
              method: req.method,
              route: routeOf(req),
              statusCode: res.statusCode,
              youthId: s.youthId ?? null,
              fugueId: s.fugueId ?? null,
              correlationId: req.correlationId,
              clientCorrelationId: req.clientCorrelationId ?? null,
            }));
            await this.audit.append(records);
            return body;
          })(),
        ),
      ),
    );
  }
}

/** The route pattern, never the concrete URL (query strings could carry anything). */
function routeOf(req: VigieRequest): string {
  const path = (req.route as { path?: string } | undefined)?.path ?? req.path;
  return `${req.baseUrl ?? ''}${path}`;
}

function paramSubject(req: VigieRequest): AuditSubject {
  const id = (req.params as Record<string, string>).id;
  if (!id) return {};
  if (req.path.startsWith('/v1/fugues/')) return { fugueId: id };
  if (req.path.startsWith('/v1/youths/')) return { youthId: id };
  return {};
}
