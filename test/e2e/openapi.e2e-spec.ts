import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DEPARTED_WITH_VALUES, EXPLOITATION_INDICATOR_CODES, INDICATOR_CODES, REFERRAL_CODES, VULNERABILITY_CODES } from '@vigie/domain';
import { FUGUE_STATUSES, ROLES } from '@vigie/persistence';
import { bearer, birthDateForAge, OpenApiResponseChecker, startTestApp, TestApp, TEST_IDENTITY } from '@vigie/testing';

/**
 * /openapi.json must be complete enough to generate a client: every route with its method,
 * parameters, request body (required fields, enums), success body and error body, and the
 * bearer scheme. /docs is the interactive page.
 */

type Schema = {
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  enum?: string[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  nullable?: boolean;
};
type Parameter = { name: string; in: string; required?: boolean; schema?: Schema };
type Operation = {
  operationId: string;
  summary?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { description?: string; headers?: Record<string, { schema?: Schema }>; content?: Record<string, { schema: Schema }> }>;
  security?: Record<string, string[]>[];
};
type Document = {
  openapi: string;
  info: { title: string; version: string; license?: { name: string } };
  servers?: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, { type: string; scheme?: string }> };
};

/** The routes of api.md implemented so far: method, path, request body, success status and body. */
const ROUTES: { method: string; path: string; body: string | null; status: string; response: string | null }[] = [
  { method: 'get', path: '/v1/departments', body: null, status: '200', response: 'DepartmentListResponse' },
  { method: 'get', path: '/v1/vocabularies', body: null, status: '200', response: 'VocabulariesResponse' },
  { method: 'post', path: '/v1/foyers', body: 'CreateFoyerDto', status: '201', response: 'FoyerResponse' },
  { method: 'get', path: '/v1/foyers', body: null, status: '200', response: 'FoyerPageResponse' },
  { method: 'get', path: '/v1/foyers/{id}', body: null, status: '200', response: 'FoyerResponse' },
  { method: 'patch', path: '/v1/foyers/{id}', body: 'UpdateFoyerDto', status: '200', response: 'FoyerResponse' },
  { method: 'post', path: '/v1/foyers/{id}/close', body: null, status: '200', response: 'FoyerResponse' },
  { method: 'post', path: '/v1/api-clients', body: 'CreateApiClientDto', status: '201', response: 'CreatedApiClientResponse' },
  { method: 'get', path: '/v1/api-clients', body: null, status: '200', response: 'ApiClientPageResponse' },
  { method: 'delete', path: '/v1/api-clients/{id}', body: null, status: '204', response: null },
  { method: 'post', path: '/v1/api-clients/{id}/rotate-inbound-secret', body: null, status: '200', response: 'RotatedInboundSecretResponse' },
  { method: 'post', path: '/v1/referents/{id}/rotate-webhook-secret', body: null, status: '200', response: 'RotatedReferentSecretResponse' },
  { method: 'get', path: '/v1/audit', body: null, status: '200', response: 'AuditPageResponse' },
  { method: 'get', path: '/v1/me', body: null, status: '200', response: 'MeResponse' },
  { method: 'post', path: '/v1/people', body: 'CreatePersonDto', status: '201', response: 'PersonResponse' },
  { method: 'get', path: '/v1/people', body: null, status: '200', response: 'PersonPageResponse' },
  { method: 'get', path: '/v1/people/{id}', body: null, status: '200', response: 'PersonResponse' },
  { method: 'patch', path: '/v1/people/{id}', body: 'UpdatePersonDto', status: '200', response: 'PersonResponse' },
  { method: 'delete', path: '/v1/people/{id}', body: null, status: '204', response: null },
  { method: 'get', path: '/auth/options', body: null, status: '200', response: 'SignInOptionsResponse' },
  { method: 'post', path: '/auth/email-link', body: 'EmailLinkRequestDto', status: '202', response: 'EmailLinkSentResponse' },
  { method: 'post', path: '/auth/logout', body: null, status: '204', response: null },
  { method: 'get', path: '/auth/oidc', body: null, status: '303', response: null },
  { method: 'post', path: '/v1/youths', body: 'CreateYouthDto', status: '201', response: 'YouthResponse' },
  { method: 'get', path: '/v1/youths/{id}', body: null, status: '200', response: 'YouthResponse' },
  { method: 'patch', path: '/v1/youths/{id}', body: 'UpdateYouthDto', status: '200', response: 'YouthResponse' },
  { method: 'post', path: '/v1/fugues', body: 'DeclareFugueDto', status: '201', response: 'FugueSummaryResponse' },
  { method: 'get', path: '/v1/fugues', body: null, status: '200', response: 'FuguePageResponse' },
  { method: 'get', path: '/v1/fugues/{id}', body: null, status: '200', response: 'FugueResponse' },
  { method: 'get', path: '/v1/fugues/{id}/timeline', body: null, status: '200', response: 'TimelineResponse' },
  { method: 'post', path: '/v1/fugues/{id}/updates', body: 'FugueUpdateDto', status: '201', response: 'FugueUpdateCreatedResponse' },
  { method: 'post', path: '/v1/fugues/{id}/override', body: 'OverrideDto', status: '200', response: 'FugueSummaryResponse' },
  { method: 'delete', path: '/v1/fugues/{id}/override', body: null, status: '200', response: 'FugueSummaryResponse' },
  { method: 'post', path: '/v1/fugues/{id}/located', body: 'LocatedDto', status: '200', response: 'FugueSummaryResponse' },
  { method: 'post', path: '/v1/fugues/{id}/return', body: 'ReturnDto', status: '200', response: 'FugueSummaryResponse' },
  { method: 'post', path: '/v1/fugues/{id}/close', body: 'ReasonDto', status: '200', response: 'FugueSummaryResponse' },
  { method: 'post', path: '/v1/fugues/{id}/cancel', body: 'ReasonDto', status: '200', response: 'FugueSummaryResponse' },
  { method: 'post', path: '/v1/triage/preview', body: 'TriagePreviewDto', status: '200', response: 'ClassificationResponse' },
  { method: 'post', path: '/v1/webhook-endpoints', body: 'CreateWebhookEndpointDto', status: '201', response: 'WebhookEndpointWithSecretResponse' },
  { method: 'get', path: '/v1/webhook-endpoints', body: null, status: '200', response: 'WebhookEndpointPageResponse' },
  { method: 'get', path: '/v1/webhook-endpoints/{id}', body: null, status: '200', response: 'WebhookEndpointResponse' },
  { method: 'delete', path: '/v1/webhook-endpoints/{id}', body: null, status: '204', response: null },
  { method: 'post', path: '/v1/webhook-endpoints/{id}/rotate-secret', body: null, status: '200', response: 'WebhookEndpointWithSecretResponse' },
  { method: 'post', path: '/v1/webhook-endpoints/{id}/enable', body: null, status: '200', response: 'WebhookEndpointResponse' },
  { method: 'get', path: '/v1/webhook-endpoints/{id}/deliveries', body: null, status: '200', response: 'WebhookDeliveryPageResponse' },
  { method: 'post', path: '/v1/webhook-deliveries/{id}/redeliver', body: null, status: '202', response: 'WebhookDeliveryResponse' },
  { method: 'get', path: '/v1/return-interviews', body: null, status: '200', response: 'InterviewPageResponse' },
  { method: 'get', path: '/v1/return-interviews/{id}', body: null, status: '200', response: 'InterviewResponse' },
  { method: 'put', path: '/v1/return-interviews/{id}', body: 'RecordInterviewDto', status: '200', response: 'InterviewResponse' },
  { method: 'get', path: '/v1/stats', body: null, status: '200', response: 'StatsResponse' },
  { method: 'get', path: '/health/live', body: null, status: '200', response: null },
  { method: 'get', path: '/health/ready', body: null, status: '200', response: null },
];

/**
 * Served on purpose without a description in the document: metrics, the documentation itself, the
 * acknowledgement pages opened from e-mails (HTML for people, not an API), and the catch-all of the
 * middleware.
 */
const UNDOCUMENTED = [/^GET \/metrics$/, /^\w+ \/docs/, /^\w+ \/openapi\.json$/, /^(GET|POST) \/a\/\{token\}$/, /^(GET|POST) \/auth\/email-link\/\{token\}$/, /^GET \/auth\/oidc\/callback$/, /^[\w-]+ \/\{\*path\}$/];

/** The schema name a `$ref` (possibly wrapped in allOf, for nullable references) points to. */
function refName(schema: Schema | undefined): string | undefined {
  const ref = schema?.$ref ?? schema?.allOf?.[0]?.$ref;
  return ref?.replace('#/components/schemas/', '');
}

function allRefs(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => allRefs(v, found));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === '$ref' && typeof v === 'string') found.push(v);
      else allRefs(v, found);
    }
  }
  return found;
}

/** Every route the running application answers, as `METHOD /path/{param}`. */
function servedRoutes(t: TestApp): string[] {
  const express = (t.app as NestExpressApplication).getHttpAdapter().getInstance();
  const stack = (express.router ?? express._router).stack as { route?: { path: string; methods: Record<string, boolean> } }[];
  return stack
    .filter((layer) => layer.route)
    .flatMap(({ route }) =>
      Object.keys(route!.methods)
        .filter((m) => m !== '_all')
        .map((m) => `${m.toUpperCase()} ${route!.path.replace(/:(\w+)/g, '{$1}')}`),
    );
}

describe('OpenAPI document and documentation page', () => {
  let t: TestApp;
  let doc: Document;

  const schema = (name: string): Schema => {
    const found = doc.components.schemas[name];
    if (!found) throw new Error(`No schema ${name}`);
    return found;
  };
  const operation = (method: string, path: string): Operation => {
    const found = doc.paths[path]?.[method];
    if (!found) throw new Error(`${method.toUpperCase()} ${path} is not documented`);
    return found;
  };
  const property = (schemaName: string, name: string): Schema => {
    const found = schema(schemaName).properties?.[name];
    if (!found) throw new Error(`${schemaName}.${name} is not documented`);
    return found;
  };
  const bodyOf = (method: string, path: string) => refName(operation(method, path).requestBody?.content['application/json']?.schema);

  beforeAll(async () => {
    t = await startTestApp({ worker: false });
    const res = await t.http.get('/openapi.json').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = res.body as Document;
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('GET /openapi.json', () => {
    it('is an OpenAPI 3 document, served without an API key', () => {
      expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
      expect(doc.info).toMatchObject({ title: 'Vigie', version: '1' });
    });

    it('has every $ref pointing to a schema it defines', () => {
      const refs = [...new Set(allRefs(doc))];
      expect(refs.length).toBeGreaterThan(20);
      const dangling = refs.filter((ref) => !ref.startsWith('#/components/schemas/') || !doc.components.schemas[ref.split('/').pop()!]);
      expect(dangling).toEqual([]);
    });

    it('gives every operation a unique operationId and declares every path parameter', () => {
      const ids: string[] = [];
      for (const [path, operations] of Object.entries(doc.paths)) {
        const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        for (const [method, op] of Object.entries(operations)) {
          ids.push(op.operationId);
          for (const name of names) {
            const parameter = op.parameters?.find((p) => p.in === 'path' && p.name === name);
            expect({ route: `${method} ${path}`, name, required: parameter?.required }).toEqual({ route: `${method} ${path}`, name, required: true });
          }
        }
      }
      expect(new Set(ids).size).toBe(ids.length);
    });

    it.each(ROUTES.map((r) => [r.method.toUpperCase(), r.path, r]))('documents %s %s', (_method, _path, route) => {
      expect(Object.keys(operation(route.method, route.path).responses)).toContain(route.status);
    });

    it('documents every route the application serves', () => {
      const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)));
      const served = servedRoutes(t);
      expect(served).toEqual(expect.arrayContaining(ROUTES.map((r) => `${r.method.toUpperCase()} ${r.path}`)));
      const missing = served.filter((route) => !documented.has(route) && !UNDOCUMENTED.some((pattern) => pattern.test(route)));
      expect(missing).toEqual([]);
    });
  });

  describe('completeness, for a generated client', () => {
    const operations = () =>
      Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, method, path, op })));

    it('names its servers and its licence', () => {
      expect(doc.servers?.length).toBeGreaterThan(0);
      expect(doc.info.license?.name).toBeTruthy();
    });

    it('gives every operation a summary and its own security (an empty list on public routes)', () => {
      const problems = operations().filter(({ op }) => !op.summary?.trim() || !Array.isArray(op.security)).map(({ route }) => route);
      expect(problems).toEqual([]);
      for (const { route, path, op } of operations()) {
        const expected: Record<string, string[]>[] =
          path.startsWith('/health') || route === 'POST /auth/email-link' || route === 'GET /auth/options' || route === 'GET /auth/oidc'
            ? []
            : route === 'POST /v1/integrations/116000/events'
              ? [{ webhookSignature: [] }]
              : route === 'POST /auth/logout'
                ? [{ vigie_session: [] }]
                : [{ bearer: [] }, { vigie_session: [] }];
        expect({ route, security: op.security }).toEqual({ route, security: expected });
      }
    });

    it('gives a schema to every JSON success and the error body to the 4xx of every /v1 operation', () => {
      const problems: string[] = [];
      for (const { route, path, op } of operations()) {
        for (const [status, response] of Object.entries(op.responses)) {
          if (/^2/.test(status) && status !== '204' && !(response.content?.['application/json'] ?? response.content?.['text/event-stream'])?.schema) problems.push(`${route} ${status}`);
        }
        if (!path.startsWith('/v1/')) continue;
        for (const status of ['400', '401', '404', '429']) {
          if (refName(op.responses[status]?.content?.['application/json']?.schema) !== 'ErrorResponse') problems.push(`${route} ${status}`);
        }
      }
      expect(problems).toEqual([]);
      expect(operation('put', '/v1/departments/{code}/escalation-policy').responses['422'] ?? operation('put', '/v1/departments/{code}/escalation-policy').responses['400']).toBeDefined();
      expect(operation('post', '/v1/foyers').responses['413']).toBeDefined();
      expect(operation('post', '/v1/foyers').responses['415']).toBeDefined();
      expect(operation('post', '/v1/foyers').responses['409']).toBeDefined();
      expect(refName(operation('get', '/health/ready').responses['503'].content?.['application/json']?.schema)).toBe('ErrorResponse');
      for (const [method, path] of [['patch', '/v1/youths/{id}'], ['put', '/v1/return-interviews/{id}'], ['post', '/v1/alerts/{id}/acknowledge'], ['post', '/v1/notifications/{id}/replay']]) {
        expect({ method, path, conflict: operation(method, path).responses['409']?.content?.['application/json'] }).toEqual({ method, path, conflict: expect.anything() });
      }
    });

    it('declares the Idempotency-Key on every POST the idempotency layer honours (every authenticated POST)', () => {
      const missing = operations()
        .filter(({ method, path, op }) => method === 'post' && path.startsWith('/v1/') && !op.parameters?.some((p) => p.in === 'header' && p.name === 'Idempotency-Key'))
        .map(({ route }) => route);
      expect(missing).toEqual([]);
    });

    it('types path ids as uuids and limits as integers', () => {
      const problems: string[] = [];
      for (const { route, op } of operations()) {
        for (const p of op.parameters ?? []) {
          if (p.in === 'path' && p.name === 'id' && (p.schema as { format?: string })?.format !== 'uuid') problems.push(`${route} ${p.name}`);
          if (p.in === 'query' && p.name === 'limit' && p.schema?.type !== 'integer') problems.push(`${route} ${p.name}`);
        }
      }
      expect(problems).toEqual([]);
    });

    it('lists the timeline event types', () => {
      expect(property('TimelineEntryResponse', 'type').enum).toEqual(expect.arrayContaining(['declared', 'classified', 'alert.opened', 'interview.disclosure', 'personal_data.erased']));
    });

    it('marks the escalation policy steps as the server requires them, and needs no body to acknowledge', () => {
      expect(JSON.stringify(operation('put', '/v1/departments/{code}/escalation-policy').requestBody)).toBeTruthy();
      const worrying = property('EscalationPolicyDto', 'worrying') as Schema & { properties: Record<string, Schema & { items?: Schema }> };
      const resolved = refName(worrying) ? schema(refName(worrying)!) : worrying;
      expect(resolved.required).toEqual(['steps']);
      const steps = resolved.properties!.steps.items!;
      const step = refName(steps) ? schema(refName(steps)!) : steps;
      expect([...(step.required ?? [])].sort()).toEqual(['afterSeconds', 'notify']);
      expect(operation('post', '/v1/alerts/{id}/acknowledge').requestBody?.required).not.toBe(true);
    });

    it('writes nullable references in a form OpenAPI 3.0 accepts (no sibling beside $ref, no nullable without a type)', () => {
      const problems: string[] = [];
      const visit = (value: unknown, at: string) => {
        if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${at}/${i}`));
        else if (value && typeof value === 'object') {
          const o = value as Record<string, unknown>;
          if ('$ref' in o && Object.keys(o).length > 1) problems.push(`${at} has siblings beside $ref`);
          if (o.nullable === true && !o.type && !o.allOf && !o.oneOf && !o.anyOf) problems.push(`${at} is nullable without a type`);
          for (const [k, v] of Object.entries(o)) visit(v, `${at}/${k}`);
        }
      };
      visit(doc, '#');
      expect(problems).toEqual([]);
    });

    it('passes the recommended lint rules with no error', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'vigie-openapi-'));
      try {
        const file = join(dir, 'openapi.json');
        await writeFile(file, JSON.stringify(doc));
        const result = await promisify(execFile)(process.execPath, [require.resolve('@redocly/cli/bin/cli.js'), 'lint', file, '--extends=recommended', '--format=json'], {
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
          maxBuffer: 64 * 1024 * 1024,
        }).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
        const report = JSON.parse(result.stdout) as { problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[] };
        const errors = report.problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`);
        expect(errors).toEqual([]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }, 60_000);
  });

  describe('the check of real answers against the document (every e2e request goes through it)', () => {
    const foyerId = '00000000-0000-4000-8000-000000000001';
    let checker: OpenApiResponseChecker;
    beforeAll(() => {
      checker = new OpenApiResponseChecker(doc as never);
    });

    it('accepts a real answer, and a path the document does not describe', async () => {
      const res = await t.http.get('/v1/foyers').set(bearer(t.adminKey)).expect(200);
      expect(checker.problem('GET', '/v1/foyers?limit=5', 200, res.headers['content-type'], res.body)).toBeNull();
      expect(checker.problem('GET', '/metrics', 200, 'text/plain', '')).toBeNull();
    });

    it('refuses a status the operation does not declare, naming the route', () => {
      expect(checker.problem('GET', `/v1/foyers/${foyerId}`, 418, 'application/json', {})).toBe('GET /v1/foyers/{id} → 418: this status is not declared in /openapi.json');
    });

    it('refuses a body that does not match the schema, and nulls where none is allowed', () => {
      expect(checker.problem('GET', `/v1/foyers/${foyerId}`, 200, 'application/json; charset=utf-8', { id: foyerId })).toMatch(/^GET \/v1\/foyers\/\{id\} → 200: the body does not match the document: .*must have required property/);
      expect(checker.problem('GET', '/v1/foyers', 200, 'application/json', { items: [], nextCursor: 3 })).toMatch(/nextCursor/);
      expect(checker.problem('GET', '/v1/foyers', 200, 'application/json', { items: [], nextCursor: null })).toBeNull();
      expect(checker.problem('GET', '/v1/foyers', 400, 'application/json', { statusCode: 400, code: 'NOT_A_CODE', message: 'x', correlationId: 'c' })).toMatch(/code/);
    });

    it('refuses a JSON answer where none is declared, and the reverse', () => {
      expect(checker.problem('DELETE', `/v1/api-clients/${foyerId}`, 204, 'application/json', {})).toMatch(/declares no body/);
      expect(checker.problem('GET', '/v1/foyers', 200, 'text/html', '')).toMatch(/declared as JSON/);
    });

    it('accepts another media type the operation declares (the statistics as CSV), and only there', () => {
      expect(doc.paths['/v1/stats']?.get?.responses['200']?.content?.['text/csv']).toBeDefined();
      expect(checker.problem('GET', '/v1/stats?format=csv', 200, 'text/csv; charset=utf-8', 'section,item,measure,value\r\n')).toBeNull();
      expect(checker.problem('GET', '/v1/foyers', 200, 'text/csv; charset=utf-8', '')).toMatch(/declared as JSON/);
    });
  });

  describe('security', () => {
    it('has the bearer scheme for API keys', () => {
      expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    });

    it('requires the bearer key or a session on every /v1 operation but the signed inbound hotline webhook, and none on health', () => {
      expect(doc.components.securitySchemes.webhookSignature).toMatchObject({ type: 'apiKey', in: 'header', name: 'webhook-signature' });
      for (const [path, operations] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(operations)) {
          const route = `${method.toUpperCase()} ${path}`;
          const expected = route === 'POST /v1/integrations/116000/events' ? [{ webhookSignature: [] }] : [{ bearer: [] }, { vigie_session: [] }];
          if (path.startsWith('/v1/')) expect({ route, security: op.security }).toEqual({ route, security: expected });
          if (path.startsWith('/health/')) expect({ route, security: op.security ?? [] }).toEqual({ route, security: [] });
        }
      }
    });
  });

  describe('request bodies', () => {
    it.each(ROUTES.filter((r) => r.body).map((r) => [r.method.toUpperCase(), r.path, r.body]))('%s %s takes a %s', (method, path, body) => {
      expect(bodyOf(method.toLowerCase(), path)).toBe(body);
      expect(Object.keys(schema(body!).properties ?? {}).length).toBeGreaterThan(0);
    });

    it('lists the required fields of each body', () => {
      const required = (name: string) => [...(schema(name).required ?? [])].sort();
      expect(required('CreateFoyerDto')).toEqual(['departmentCode', 'kind', 'name']);
      expect(required('CreateApiClientDto')).toEqual(['name', 'role']);
      expect(required('CreateYouthDto')).toEqual(['birthDate', 'firstName', 'foyerId', 'lastName', 'sex']);
      expect(required('UpdateYouthDto')).toEqual([]);
      expect(required('DeclareFugueDto')).toEqual(['noticedMissingAt', 'youthId']);
      expect(required('StaffConcernDto')).toEqual(['worrying']);
      expect(required('FugueUpdateDto')).toEqual([]);
      expect(required('SightingDto')).toEqual(['at']);
      expect(required('OverrideDto')).toEqual(['level', 'reason']);
      expect(required('LocatedDto')).toEqual(['at']);
      expect(required('ReturnDto')).toEqual(['foundBy', 'returnedAt']);
      expect(required('ReasonDto')).toEqual(['reason']);
      expect(required('MedicalDto')).toEqual(['vitalTreatment']);
      expect(required('TriagePreviewDto')).toEqual(['departmentCode', 'episode', 'youth']);
      expect(required('PreviewEpisodeDto')).toEqual(['noticedMissingAt']);
      expect(required('PreviewYouthDto')).toEqual(['birthDate']);
      expect(required('RecordInterviewDto')).toEqual(['outcome']);
    });

    it('lists the allowed values of every coded field', () => {
      expect(property('CreateFoyerDto', 'kind').enum).toEqual(['ase', 'pjj', 'other']);
      expect(property('CreateApiClientDto', 'role').enum).toEqual([...ROLES]);
      expect(property('CreateYouthDto', 'sex').enum).toEqual(['F', 'M', 'X']);
      expect(property('CreateYouthDto', 'vulnerabilities').items?.enum).toEqual([...VULNERABILITY_CODES]);
      expect(property('DeclareFugueDto', 'indicators').items?.enum).toEqual([...INDICATOR_CODES]);
      expect(property('DeclareFugueDto', 'departedWith').enum).toEqual([...DEPARTED_WITH_VALUES]);
      expect(property('FugueUpdateDto', 'indicators').items?.enum).toEqual([...INDICATOR_CODES]);
      expect(property('PreviewEpisodeDto', 'indicators').items?.enum).toEqual([...INDICATOR_CODES]);
      expect(property('OverrideDto', 'level').enum).toEqual(['routine', 'worrying']);
      expect(property('ReturnDto', 'foundBy').enum).toEqual(['self', 'police', 'family', 'hotline', 'other']);
      expect(property('RecordInterviewDto', 'outcome').enum).toEqual(['completed', 'declined', 'not_held']);
      expect(property('RecordInterviewDto', 'referrals').items?.enum).toEqual([...REFERRAL_CODES]);
      expect(property('RecordInterviewDto', 'exploitationIndicators').items?.enum).toEqual([...EXPLOITATION_INDICATOR_CODES]);
    });

    it('describes nested objects and formats', () => {
      expect(refName(property('DeclareFugueDto', 'staffConcern'))).toBe('StaffConcernDto');
      expect(refName(property('DeclareFugueDto', 'belongings'))).toBe('BelongingsDto');
      expect(Object.keys(schema('BelongingsDto').properties ?? {}).sort()).toEqual(['idDocument', 'money', 'phone']);
      expect(refName(property('DeclareFugueDto', 'policeReport'))).toBe('PoliceReportDto');
      expect(refName(property('FugueUpdateDto', 'sighting'))).toBe('SightingDto');
      expect(refName(property('CreateYouthDto', 'medical'))).toBe('MedicalDto');
      expect(refName(property('ReturnDto', 'condition'))).toBe('ConditionDto');
      expect(property('DeclareFugueDto', 'youthId')).toMatchObject({ type: 'string', format: 'uuid' });
      expect(property('DeclareFugueDto', 'noticedMissingAt')).toMatchObject({ type: 'string', format: 'date-time' });
    });

    it('documents the query of the episode list and the Idempotency-Key of creating POSTs', () => {
      const query = operation('get', '/v1/fugues').parameters!.filter((p) => p.in === 'query').map((p) => p.name);
      expect(query.sort()).toEqual(['cursor', 'departmentCode', 'foyerId', 'include', 'level', 'limit', 'since', 'status', 'youthId']);
      for (const path of ['/v1/foyers', '/v1/api-clients', '/v1/youths', '/v1/fugues', '/v1/fugues/{id}/updates']) {
        const header = operation('post', path).parameters?.find((p) => p.in === 'header' && p.name === 'Idempotency-Key');
        expect({ path, required: header?.required }).toEqual({ path, required: false });
      }
    });
  });

  describe('responses', () => {
    it.each(ROUTES.filter((r) => r.response).map((r) => [r.method.toUpperCase(), r.path, r.status, r.response]))(
      '%s %s answers %s with a %s',
      (method, path, status, response) => {
        const success = operation(method.toLowerCase(), path).responses[status];
        expect(refName(success.content?.['application/json']?.schema)).toBe(response);
      },
    );

    it('describes the episode, its classification and the key shown once', () => {
      expect(property('FugueSummaryResponse', 'status').enum).toEqual([...FUGUE_STATUSES]);
      expect(refName(property('FugueSummaryResponse', 'classification'))).toBe('ClassificationResponse');
      expect(property('FugueSummaryResponse', 'effectiveLevel').enum).toEqual(['routine', 'worrying']);
      expect([...(schema('ClassificationResponse').required ?? [])].sort()).toEqual(
        ['evaluatedAt', 'level', 'nextReviewAt', 'reasons', 'rulesetVersion', 'score'].sort(),
      );
      expect(refName(property('FugueResponse', 'youth'))).toBe('FugueYouthResponse');
      expect(refName(property('FugueResponse', 'override'))).toBe('OverrideWithReasonResponse');
      expect(schema('FugueSummaryResponse').properties).not.toHaveProperty('youth');
      expect(schema('CreatedApiClientResponse').required).toContain('key');
      expect(schema('ApiClientResponse').properties).not.toHaveProperty('key');
    });

    it('describes the error body on the errors every /v1 route may answer', () => {
      expect([...(schema('ErrorResponse').required ?? [])].sort()).toEqual(['code', 'correlationId', 'message', 'statusCode']);
      expect(property('ErrorResponse', 'code').enum).toEqual(expect.arrayContaining(['VALIDATION_FAILED', 'NOT_FOUND', 'INVALID_TRANSITION', 'INTERNAL_ERROR']));
      for (const route of ROUTES.filter((r) => r.path.startsWith('/v1/'))) {
        const responses = operation(route.method, route.path).responses;
        for (const status of ['400', '401', '403', '404', '429', '503']) {
          expect({ route: `${route.method} ${route.path}`, status, body: refName(responses[status]?.content?.['application/json']?.schema) }).toEqual({
            route: `${route.method} ${route.path}`,
            status,
            body: 'ErrorResponse',
          });
        }
      }
      expect(operation('post', '/v1/fugues').responses['409']).toBeDefined();
      expect(operation('post', '/v1/fugues/{id}/close').responses['409']).toBeDefined();
    });
  });

  describe('Location of created resources', () => {
    /** Every route answering 201, with a request that creates something and where it is then read. */
    const creations: Record<string, { create: (ids: Record<string, string>) => Promise<{ status: number; headers: Record<string, string>; body: Record<string, unknown> }>; at: (body: Record<string, unknown>, ids: Record<string, string>) => string; read?: boolean }> = {
      'post /v1/foyers': {
        create: () => t.http.post('/v1/foyers').set(bearer(t.adminKey)).send({ name: 'Foyer Testnom', departmentCode: '75', kind: 'ase' }),
        at: (body) => `/v1/foyers/${body.id}`,
        read: true,
      },
      // There is no GET of one API client: its URL is the one DELETE revokes.
      'post /v1/api-clients': {
        create: () => t.http.post('/v1/api-clients').set(bearer(t.adminKey)).send({ name: 'Client Testnom', role: 'police', departmentCodes: ['75'] }),
        at: (body) => `/v1/api-clients/${body.id}`,
      },
      'post /v1/youths': {
        create: (ids) => t.http.post('/v1/youths').set(bearer(t.adminKey)).send({ foyerId: ids.foyer, ...TEST_IDENTITY, birthDate: birthDateForAge(15), sex: 'F' }),
        at: (body) => `/v1/youths/${body.id}`,
        read: true,
      },
      'post /v1/fugues': {
        create: (ids) => t.http.post('/v1/fugues').set(bearer(t.adminKey)).send({ youthId: ids.youth, noticedMissingAt: new Date(Date.now() - 60_000).toISOString() }),
        at: (body) => `/v1/fugues/${body.id}`,
        read: true,
      },
      // An update has no URL of its own: it is read in the episode's timeline.
      'post /v1/fugues/{id}/updates': {
        create: (ids) => t.http.post(`/v1/fugues/${ids.fugue}/updates`).set(bearer(t.adminKey)).send({ note: 'Vu près de la gare' }),
        at: (_body, ids) => `/v1/fugues/${ids.fugue}/timeline`,
        read: true,
      },
      // A hotline's report is read in the episode's timeline too.
      'post /v1/fugues/{id}/hotline-reports': {
        create: async (ids) => {
          const hotline = await t.http.post('/v1/api-clients').set(bearer(t.adminKey)).send({ name: 'Hotline Testnom', role: 'hotline' }).expect(201);
          return t.http
            .post(`/v1/fugues/${ids.fugue}/hotline-reports`)
            .set(bearer(hotline.body.key as string))
            .send({ type: 'hotline.call_received', data: { receivedAt: new Date(Date.now() - 60_000).toISOString(), caller: 'youth' } });
        },
        at: (_body, ids) => `/v1/fugues/${ids.fugue}/timeline`,
        read: true,
      },
      'post /v1/referents': {
        create: () =>
          t.http.post('/v1/referents').set(bearer(t.adminKey)).send({ displayName: 'Astreinte Testnom', role: 'police', departmentCode: '75', channels: [{ type: 'email', address: 'astreinte@vigie.test' }] }),
        at: (body) => `/v1/referents/${body.id}`,
        read: true,
      },
      'post /v1/people': {
        create: () => t.http.post('/v1/people').set(bearer(t.adminKey)).send({ displayName: 'Personne Testnom', email: 'location@vigie.test', role: 'admin' }),
        at: (body) => `/v1/people/${body.id}`,
        read: true,
      },
      'post /v1/webhook-endpoints': {
        create: () => t.http.post('/v1/webhook-endpoints').set(bearer(t.adminKey)).send({ url: 'https://hooks.vigie.test/x', events: ['fugue.declared'] }),
        at: (body) => `/v1/webhook-endpoints/${body.id}`,
        read: true,
      },
    };

    it('covers every operation the document says answers 201', () => {
      const created = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).filter(([, op]) => op.responses?.['201']).map(([method]) => `${method} ${path}`));
      expect(created.sort()).toEqual(Object.keys(creations).sort());
    });

    it('documents the Location header on every 201', () => {
      for (const route of Object.keys(creations)) {
        const [method, path] = route.split(' ');
        expect({ route, location: operation(method, path).responses['201'].headers?.Location?.schema?.type }).toEqual({ route, location: 'string' });
      }
    });

    it('answers every 201 with the Location of what it created, the same on an idempotent replay', async () => {
      const ids: Record<string, string> = {};
      for (const [route, { create, at, read }] of Object.entries(creations)) {
        const res = await create(ids);
        expect({ route, status: res.status }).toEqual({ route, status: 201 });
        const body = res.body;
        expect({ route, location: res.headers.location }).toEqual({ route, location: at(body, ids) });
        if (read) await t.http.get(res.headers.location).set(bearer(t.adminKey)).expect(200);
        if (route === 'post /v1/foyers') ids.foyer = body.id as string;
        if (route === 'post /v1/youths') ids.youth = body.id as string;
        if (route === 'post /v1/fugues') ids.fugue = body.id as string;
      }
      const body = { name: 'Foyer Testnom', departmentCode: '75', kind: 'ase' };
      const first = await t.http.post('/v1/foyers').set(bearer(t.adminKey)).set('Idempotency-Key', 'location-replay-1').send(body).expect(201);
      const replay = await t.http.post('/v1/foyers').set(bearer(t.adminKey)).set('Idempotency-Key', 'location-replay-1').send(body).expect(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.headers.location).toBe(`/v1/foyers/${first.body.id}`);
    });

    it('sends no Location on other statuses', async () => {
      const res = await t.http.get('/v1/foyers').set(bearer(t.adminKey)).expect(200);
      expect(res.headers.location).toBeUndefined();
    });
  });

  describe('GET /docs', () => {
    it('is the interactive HTML page, served without an API key', async () => {
      const res = await t.http.get('/docs').redirects(1).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('swagger-ui');
    });
  });
});
