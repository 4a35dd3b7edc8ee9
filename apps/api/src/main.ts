import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { closeOnSignals, loadConfigOrExit } from '@vigie/config';
import { VigieCoreModule } from '@vigie/domain';
import { migrateDatabase } from '@vigie/persistence';
import { ApiModule } from './api.module';
import { configureApi } from './configure-api';

@Module({ imports: [VigieCoreModule.forRoot(), ApiModule] })
class ApiProcessModule {}

/** The API alone (`npm run start:api`); run any number of them behind a load balancer. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  await migrateDatabase(config.DATABASE_URL);
  const app = await NestFactory.create<NestExpressApplication>(ApiProcessModule, { bufferLogs: true, bodyParser: false });
  await configureApi(app);
  closeOnSignals(app, { graceMs: config.VIGIE_SHUTDOWN_GRACE_MS });
  await app.listen(config.PORT);
}

void main().catch((error: Error) => {
  process.stderr.write(`Vigie API failed to start: ${error.message}\n`);
  process.exit(1);
});
