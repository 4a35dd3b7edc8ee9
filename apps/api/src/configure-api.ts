import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { ApiClientService, PersonService } from '@vigie/domain';
import { VigieConfig, withFrameworkAtDebug } from '@vigie/config';
import { documentSessionAuth, SESSION_COOKIE } from './http/auth.guard';
import { completeDocument } from './http/api-docs';
import { mountConsole } from './http/console';
import { CorrelationMiddleware } from './http/correlation.middleware';
import { documentCreatedLocations } from './http/location.interceptor';
import { vigieValidationPipe } from './http/validation';
import { mountQueueDashboard } from './operations/queue-dashboard';

/** Everything an API process sets up on its Nest application, shared by main.ts and the tests. */
export async function configureApi(app: NestExpressApplication): Promise<OpenAPIObject> {
  const config = app.get(VigieConfig);
  app.useLogger(withFrameworkAtDebug(app.get(Logger)));
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  const correlation = new CorrelationMiddleware();
  app.use(correlation.use.bind(correlation));
  // Upgrading requests to https and HSTS only when the service is reached over https: over plain
  // http (compose on a LAN, a fresh clone) they make browsers refuse /docs.
  const https = config.VIGIE_PUBLIC_URL.startsWith('https://');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: { 'script-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'], 'upgrade-insecure-requests': https ? [] : null },
      },
      strictTransportSecurity: https,
    }),
  );
  app.useGlobalPipes(vigieValidationPipe());
  mountQueueDashboard(app);
  mountConsole(app, config.VIGIE_CONSOLE_DIR, https);

  const document = createApiDocument(app, config.VIGIE_PUBLIC_URL);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', raw: ['json'] });

  if (config.VIGIE_BOOTSTRAP_ADMIN_KEY) await app.get(ApiClientService).ensureBootstrapAdmin(config.VIGIE_BOOTSTRAP_ADMIN_KEY);
  if (config.VIGIE_BOOTSTRAP_ADMIN_EMAIL) await app.get(PersonService).ensureBootstrapAdmin(config.VIGIE_BOOTSTRAP_ADMIN_EMAIL);
  return document;
}

/**
 * The OpenAPI document of the API: what /openapi.json serves, and what the console's client is
 * generated from (apps/tools/src/write-openapi.ts builds it without connecting to anything).
 */
export function createApiDocument(app: INestApplication, publicUrl: string): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Vigie')
      .setDescription('Fugue alert triage for child-protection placements. Errors: { statusCode, code, message, details?, correlationId }.')
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'API key', description: 'API key (vig_…)' })
      .addCookieAuth(
        SESSION_COOKIE,
        { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: "A person's session (sign-in by e-mailed link); writes also need the X-CSRF-Token header given by GET /v1/me" },
        SESSION_COOKIE,
      )
      .addApiKey(
        { type: 'apiKey', in: 'header', name: 'webhook-signature', description: "Standard Webhooks signature with the hotline client's inboundWebhookSecret (inbound 116 000 events only)" },
        'webhookSignature',
      )
      .build(),
  );
  documentCreatedLocations(document);
  completeDocument(document, publicUrl);
  // After the completion, which gives every operation its bearer security: the session cookie is
  // accepted wherever a key is.
  documentSessionAuth(document);
  return document;
}
