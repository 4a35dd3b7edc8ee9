import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { VigieCoreModule } from '@vigie/domain';
import { ApiModule } from '../../api/src/api.module';
import { createApiDocument } from '../../api/src/configure-api';

// A data key of its own, so that writing the document never generates nor needs the service's.
@Module({ imports: [VigieCoreModule.forRoot({ VIGIE_DATA_KEY: Buffer.alloc(32, 7).toString('base64') }), ApiModule] })
class DocumentModule {}

/** The document's only server when it is written outside a running service. */
const DOCUMENT_SERVER = 'http://localhost:3000';

/**
 * Writes the API's OpenAPI document (the one /openapi.json serves) to the file given as argument,
 * or to stdout, without connecting to PostgreSQL or Redis: the application is built in Nest's
 * preview mode, which reads the modules and controllers but creates no provider.
 */
async function main(): Promise<void> {
  const app = await NestFactory.create(DocumentModule, { preview: true, logger: false, abortOnError: false });
  const document = JSON.stringify(createApiDocument(app, DOCUMENT_SERVER), null, 2) + '\n';
  await app.close();
  const target = process.argv[2];
  if (target) writeFileSync(target, document);
  else process.stdout.write(document);
}

void main().catch((error: Error) => {
  process.stderr.write(`Writing the API document failed: ${error.message}\n`);
  process.exit(1);
});
